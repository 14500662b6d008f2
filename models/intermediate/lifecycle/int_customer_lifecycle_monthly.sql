{#-
    Each customer's lifecycle stage at the end of every month since they were first seen (the
    as-of date for the current month): the stage interval of int_customer_lifecycle_history that
    holds the month end, so month ends and the daily history always agree.
-#}
with

history as (
    select * from {{ ref('int_customer_lifecycle_history') }}
),

calendar_months as (
    select * from {{ ref('int_calendar_months') }}
),

order_days as (
    select * from {{ ref('int_customer_order_days') }}
    where evaluation_role = 'as_of'
),

customer_months as (
    select
        history.customer_id,
        calendar_months.month_start_date,
        calendar_months.month_end_date,
        history.lifecycle_stage
    from history
    inner join calendar_months
        on calendar_months.month_end_date >= history.valid_from_date
        and calendar_months.month_end_date <= history.valid_to_date
),

{#-
    Orders so far at each month end, without joining every month to every earlier order day (a
    row per month and order day before it, then a group by): each month's last order day,
    carried forward. Orders so far and the last order date never decrease, so
    a running max carries them. A month's order days all lie on or before its end (the current
    month ends at the as-of date, and only orders known by then are in order_days). Order
    months before the customer's first month take part, so their orders are counted.
-#}
order_months as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        max(completed_order_count_to_date) as completed_order_count_to_date,
        max(order_date) as last_order_date
    from order_days
    group by 1, 2
),

customer_and_order_months as (
    select
        coalesce(customer_months.customer_id, order_months.customer_id) as customer_id,
        coalesce(customer_months.month_start_date, order_months.month_start_date)
            as month_start_date,
        customer_months.month_end_date,
        customer_months.lifecycle_stage,
        order_months.completed_order_count_to_date,
        order_months.last_order_date
    from customer_months
    full outer join order_months
        on customer_months.customer_id = order_months.customer_id
        and customer_months.month_start_date = order_months.month_start_date
),

orders_to_date as (
    select
        customer_id,
        month_start_date,
        month_end_date,
        lifecycle_stage,
        max(completed_order_count_to_date) over (
            partition by customer_id order by month_start_date
            rows between unbounded preceding and current row
        ) as completed_order_count,
        max(last_order_date) over (
            partition by customer_id order by month_start_date
            rows between unbounded preceding and current row
        ) as last_order_date
    from customer_and_order_months
),

final as (
    select
        customer_id,
        month_start_date,
        month_end_date,
        coalesce(completed_order_count, 0) as completed_order_count,
        last_order_date,
        lifecycle_stage,
        {#- The stage at the end of the month before; null in the customer's first month. -#}
        lag(lifecycle_stage) over (
            partition by customer_id order by month_start_date
        ) as previous_month_stage
    from orders_to_date
    {#- Customer months only: the order months before a customer's first month are gone. #}
    where month_end_date is not null
)

select * from final
