{#
    Acquisition cohorts (month of the first completed order) by months since that month: how many
    of the cohort ordered again, and the cohort's net revenue in that month and up to it. A row
    exists only for months in which at least one cohort customer ordered.
#}
with

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

first_orders as (
    select
        customer_id,
        min(order_month) as cohort_month
    from orders
    group by 1
),

customer_activity as (
    select
        first_orders.cohort_month,
        {{ dbt.datediff('first_orders.cohort_month', 'orders.order_month', 'month') }}
            as months_since_first_order,
        orders.customer_id,
        sum(orders.net_revenue_usd) as net_revenue_usd
    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id
    group by 1, 2, 3
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customer_count
    from first_orders
    group by 1
),

retained as (
    select
        cohort_month,
        months_since_first_order,
        count(*) as retained_customer_count,
        sum(net_revenue_usd) as net_revenue_usd
    from customer_activity
    group by 1, 2
),

cumulated as (
    select
        *,
        sum(net_revenue_usd) over (
            partition by cohort_month
            order by months_since_first_order
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue_usd
    from retained
),

final as (
    select
        {{ dbt.concat([
            "cast(cumulated.cohort_month as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(cumulated.months_since_first_order as " ~ dbt.type_string() ~ ")",
        ]) }} as cohort_period_id,
        cumulated.cohort_month,
        cumulated.months_since_first_order,
        cohort_sizes.cohort_customer_count,
        cumulated.retained_customer_count,
        cast(cumulated.retained_customer_count as double)
            / cohort_sizes.cohort_customer_count as retention_rate,
        cumulated.net_revenue_usd,
        cumulated.cumulative_net_revenue_usd,
        cast(cumulated.cumulative_net_revenue_usd as double)
            / cohort_sizes.cohort_customer_count as cumulative_revenue_per_customer_usd
    from cumulated
    inner join cohort_sizes
        on cumulated.cohort_month = cohort_sizes.cohort_month
)

select * from final
