{#
    Each customer's lifecycle stage at the end of every month since they were first seen
    (the as-of date for the current month). Rules, from completed orders up to that day
    (thresholds are vars, docs/lifecycle-and-metrics.md):
    - lead: no completed order yet;
    - churned: last order more than lifecycle_churned_days ago;
    - at_risk: last order more than lifecycle_active_days ago;
    - new: first order within lifecycle_new_customer_days;
    - reactivated: the last order came after a churn-length gap;
    - active: otherwise.
#}
with

profiles as (
    select * from {{ ref('int_customer_profiles') }}
),

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

calendar_months as (
    select * from {{ ref('int_calendar_months') }}
),

completed_orders as (
    select
        customer_id,
        cast(ordered_at as date) as order_date,
        lag(cast(ordered_at as date)) over (
            partition by customer_id order by ordered_at, order_id
        ) as previous_order_date
    from orders
),

orders_with_gaps as (
    select
        customer_id,
        order_date,
        coalesce(
            {{ dbt.datediff('previous_order_date', 'order_date', 'day') }}
                > {{ var('lifecycle_churned_days') }},
            false
        ) as is_reactivation
    from completed_orders
),

customer_months as (
    select
        profiles.customer_id,
        calendar_months.month_start_date,
        calendar_months.month_end_date
    from profiles
    inner join calendar_months
        on calendar_months.month_end_date >= cast(profiles.first_seen_at as date)
),

orders_to_date as (
    select
        customer_months.customer_id,
        customer_months.month_start_date,
        customer_months.month_end_date,
        count(orders_with_gaps.order_date) as completed_order_count,
        min(orders_with_gaps.order_date) as first_order_date,
        max(orders_with_gaps.order_date) as last_order_date,
        coalesce(
            max_by(orders_with_gaps.is_reactivation, orders_with_gaps.order_date), false
        ) as is_last_order_reactivation
    from customer_months
    left join orders_with_gaps
        on customer_months.customer_id = orders_with_gaps.customer_id
        and orders_with_gaps.order_date <= customer_months.month_end_date
    group by 1, 2, 3
),

final as (
    select
        customer_id,
        month_start_date,
        month_end_date,
        completed_order_count,
        last_order_date,
        case
            when completed_order_count = 0 then 'lead'
            when {{ dbt.datediff('last_order_date', 'month_end_date', 'day') }}
                > {{ var('lifecycle_churned_days') }} then 'churned'
            when {{ dbt.datediff('last_order_date', 'month_end_date', 'day') }}
                > {{ var('lifecycle_active_days') }} then 'at_risk'
            when {{ dbt.datediff('first_order_date', 'month_end_date', 'day') }}
                <= {{ var('lifecycle_new_customer_days') }} then 'new'
            when is_last_order_reactivation then 'reactivated'
            else 'active'
        end as lifecycle_stage
    from orders_to_date
)

select * from final
