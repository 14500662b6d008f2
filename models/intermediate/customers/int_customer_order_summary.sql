{#- Order facts per customer, from the orders known on the as-of date (placed and staged in their
    latest version on or before it), as the lifecycle counts them. -#}
with

orders as (
    select * from {{ ref('int_orders_resolved') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

known_orders as (
    select orders.*
    from orders
    cross join as_of
    where cast(orders.ordered_at as date) <= as_of.as_of_date
        and cast(coalesce(orders.updated_at, orders.ordered_at) as date) <= as_of.as_of_date
),

final as (
    select
        customer_id,
        count(*) as order_count,
        count(case when is_completed then 1 end) as completed_order_count,
        min(case when is_completed then ordered_at end) as first_order_at,
        max(case when is_completed then ordered_at end) as last_order_at,
        coalesce(sum(case when is_completed then net_revenue_usd end), 0) as lifetime_revenue_usd,
        count(case when is_completed and refunded_usd > 0 then 1 end) as refunded_order_count,
        coalesce(sum(case when is_completed then refunded_usd end), 0) as refunded_usd
    from known_orders
    group by 1
)

select * from final
