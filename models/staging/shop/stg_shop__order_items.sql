{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='order_item_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

order_items as (
    select * from {{ ref('base_shop__order_items') }}
    where rejection_reason is null
    {{- touched_keys_only('base_shop__order_items', 'order_item_id') }}
),

deduplicated as (
    {{ first_row_per_key('order_items', "order_item_id", 'source_file desc, raw_fingerprint desc') }}
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
        source_file,
        typed_at
    from deduplicated
)

select * from final
