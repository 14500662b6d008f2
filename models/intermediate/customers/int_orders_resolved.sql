with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
    where source_table = 'shop__orders'
),

final as (
    select
        orders.order_id,
        resolved.customer_id,
        orders.order_status,
        orders.is_completed,
        orders.is_guest_checkout,
        orders.total_usd,
        orders.refunded_usd,
        orders.net_revenue_usd,
        orders.ordered_at,
        orders.updated_at,
        cast({{ dbt.date_trunc('month', 'orders.ordered_at') }} as date) as order_month
    from orders
    inner join resolved
        on orders.order_id = resolved.record_key
)

select * from final
