with

order_items as (
    select * from {{ ref('base_shop__order_items') }}
    where rejection_reason is null
),

deduplicated as (
    {{ first_row_per_key('order_items', "order_item_id", 'source_file desc, raw_row desc') }}
),

final as (
    select
        order_item_id,
        order_id,
        product_id,
        product_name,
        lower(category) as category,
        quantity,
        unit_price as unit_price_amount,
        coalesce(discount_amount, 0) as discount_amount,
        coalesce(returned_quantity, 0) as returned_quantity,
        source_file
    from deduplicated
)

select * from final
