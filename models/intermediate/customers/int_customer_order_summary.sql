with

orders as (
    select * from {{ ref('int_orders_resolved') }}
),

final as (
    select
        customer_id,
        count(*) as order_count,
        count(case when is_completed then 1 end) as completed_order_count,
        min(case when is_completed then ordered_at end) as first_order_at,
        max(case when is_completed then ordered_at end) as last_order_at,
        coalesce(sum(case when is_completed then net_revenue_usd end), 0) as lifetime_revenue_usd,
        coalesce(sum(case when is_completed then refunded_usd end), 0) as refunded_usd
    from orders
    group by 1
)

select * from final
