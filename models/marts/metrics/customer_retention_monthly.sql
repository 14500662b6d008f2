{#
    Monthly retention and churn of buying customers. A month's base is every customer with a
    completed order in the previous retention_lookback_months months; retained customers of the
    base order again in the month, the rest of the base churned that month. Customers buying for
    the first time are new, not retained, so the rate measures keeping customers, not winning them.
#}
with

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

calendar_months as (
    select * from {{ ref('int_calendar_months') }}
),

customer_months as (
    select distinct
        customer_id,
        order_month
    from orders
),

base_customers as (
    select distinct
        calendar_months.month_start_date,
        customer_months.customer_id
    from calendar_months
    inner join customer_months
        on calendar_months.month_start_date > customer_months.order_month
        and cast({{ dbt.dateadd(
            'month', -1 * var('retention_lookback_months'), 'calendar_months.month_start_date'
        ) }} as date) <= customer_months.order_month
),

base_outcomes as (
    select
        base_customers.month_start_date,
        count(*) as base_customer_count,
        count(customer_months.customer_id) as retained_customer_count
    from base_customers
    left join customer_months
        on base_customers.customer_id = customer_months.customer_id
        and base_customers.month_start_date = customer_months.order_month
    group by 1
),

final as (
    select
        calendar_months.month_start_date,
        coalesce(base_outcomes.base_customer_count, 0) as base_customer_count,
        coalesce(base_outcomes.retained_customer_count, 0) as retained_customer_count,
        coalesce(base_outcomes.base_customer_count, 0)
            - coalesce(base_outcomes.retained_customer_count, 0) as churned_customer_count,
        case when base_outcomes.base_customer_count > 0
            then cast(base_outcomes.retained_customer_count as double)
                / base_outcomes.base_customer_count
        end as retention_rate,
        case when base_outcomes.base_customer_count > 0
            then cast(base_outcomes.base_customer_count - base_outcomes.retained_customer_count
                as double) / base_outcomes.base_customer_count
        end as churn_rate
    from calendar_months
    left join base_outcomes
        on calendar_months.month_start_date = base_outcomes.month_start_date
)

select * from final
