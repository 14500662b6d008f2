with

order_items as (
    select * from {{ ref('base_shop__order_items') }}
    where rejection_reason is null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by order_item_id order by source_file desc, raw_row desc
        ) as duplicate_rank
    from order_items
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
    where duplicate_rank = 1
)

select * from final
