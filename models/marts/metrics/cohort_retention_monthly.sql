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
    select distinct
        first_orders.cohort_month,
        {{ dbt.datediff('first_orders.cohort_month', 'orders.order_month', 'month') }}
            as months_since_first_order,
        orders.customer_id
    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id
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
        count(*) as retained_customer_count
    from customer_activity
    group by 1, 2
),

final as (
    select
        {{ dbt.concat([
            "cast(retained.cohort_month as " ~ dbt.type_string() ~ ")", "'|'",
            "cast(retained.months_since_first_order as " ~ dbt.type_string() ~ ")",
        ]) }} as cohort_period_id,
        retained.cohort_month,
        retained.months_since_first_order,
        cohort_sizes.cohort_customer_count,
        retained.retained_customer_count,
        cast(retained.retained_customer_count as double)
            / cohort_sizes.cohort_customer_count as retention_rate
    from retained
    inner join cohort_sizes
        on retained.cohort_month = cohort_sizes.cohort_month
)

select * from final
