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

orders_to_date as (
    select
        customer_months.customer_id,
        customer_months.month_start_date,
        coalesce(max(order_days.completed_order_count_to_date), 0) as completed_order_count,
        max(order_days.order_date) as last_order_date
    from customer_months
    left join order_days
        on customer_months.customer_id = order_days.customer_id
        and order_days.order_date <= customer_months.month_end_date
    group by 1, 2
),

final as (
    select
        customer_months.customer_id,
        customer_months.month_start_date,
        customer_months.month_end_date,
        orders_to_date.completed_order_count,
        orders_to_date.last_order_date,
        customer_months.lifecycle_stage,
        {#- The stage at the end of the month before; null in the customer's first month. -#}
        lag(customer_months.lifecycle_stage) over (
            partition by customer_months.customer_id order by customer_months.month_start_date
        ) as previous_month_stage
    from customer_months
    inner join orders_to_date
        on customer_months.customer_id = orders_to_date.customer_id
        and customer_months.month_start_date = orders_to_date.month_start_date
)

select * from final
