{#-
    Each customer's days with a completed order, as known on each evaluation date: only orders
    placed on or before it, in the version staged by then (updated_at on or before it), so an
    evaluation on a past date sees what a run on that day would have seen. With each order day
    the state it leaves behind: orders so far, the customer's purchase cadence (median gap between
    order days so far, from lifecycle_cadence_min_orders order days on), the at-risk and churned
    thresholds that cadence gives, and whether the day ended a churn (a reactivation).
-#}
with

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

evaluation_dates as (
    select * from {{ ref('int_lifecycle_evaluation_dates') }}
),

known_orders as (
    select
        evaluation_dates.evaluation_date,
        evaluation_dates.evaluation_role,
        orders.customer_id,
        cast(orders.ordered_at as date) as order_date,
        orders.net_revenue_usd
    from orders
    inner join evaluation_dates
        on cast(orders.ordered_at as date) <= evaluation_dates.evaluation_date
        and cast(coalesce(orders.updated_at, orders.ordered_at) as date)
            <= evaluation_dates.evaluation_date
),

order_days as (
    select
        evaluation_date,
        evaluation_role,
        customer_id,
        order_date,
        count(*) as order_count,
        sum(net_revenue_usd) as net_revenue_usd
    from known_orders
    group by 1, 2, 3, 4
),

sequenced as (
    select
        evaluation_date,
        evaluation_role,
        customer_id,
        order_date,
        order_count,
        net_revenue_usd,
        row_number() over (
            partition by evaluation_date, customer_id order by order_date
        ) as order_day_number,
        cast(sum(order_count) over (
            partition by evaluation_date, customer_id order by order_date
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as completed_order_count_to_date,
        min(order_date) over (partition by evaluation_date, customer_id) as first_order_date,
        lag(order_date) over (
            partition by evaluation_date, customer_id order by order_date
        ) as previous_order_date,
        lead(order_date) over (
            partition by evaluation_date, customer_id order by order_date
        ) as next_order_date
    from order_days
),

gaps as (
    select
        evaluation_date,
        customer_id,
        order_day_number,
        {{ dbt.datediff('previous_order_date', 'order_date', 'day') }} as gap_days
    from sequenced
    where previous_order_date is not null
),

cadences as (
    select
        sequenced.evaluation_date,
        sequenced.customer_id,
        sequenced.order_day_number,
        {{ median_value('gaps.gap_days') }} as cadence_gap_days
    from sequenced
    inner join gaps
        on sequenced.evaluation_date = gaps.evaluation_date
        and sequenced.customer_id = gaps.customer_id
        and gaps.order_day_number <= sequenced.order_day_number
    where sequenced.order_day_number >= {{ var('lifecycle_cadence_min_orders') }}
    group by 1, 2, 3
),

thresholds as (
    select
        sequenced.*,
        cast(cadences.cadence_gap_days as {{ dbt.type_float() }}) as cadence_gap_days,
        case
            when cadences.cadence_gap_days is null then {{ var('lifecycle_active_days') }}
            else greatest(
                {{ var('lifecycle_active_days') }},
                cast(ceil({{ var('lifecycle_cadence_at_risk_multiple') }}
                    * cadences.cadence_gap_days) as integer)
            )
        end as at_risk_after_days,
        case
            when cadences.cadence_gap_days is null then {{ var('lifecycle_churned_days') }}
            else greatest(
                {{ var('lifecycle_churned_days') }},
                cast(ceil({{ var('lifecycle_cadence_churned_multiple') }}
                    * cadences.cadence_gap_days) as integer)
            )
        end as churned_after_days
    from sequenced
    left join cadences
        on sequenced.evaluation_date = cadences.evaluation_date
        and sequenced.customer_id = cadences.customer_id
        and sequenced.order_day_number = cadences.order_day_number
),

final as (
    select
        evaluation_date,
        evaluation_role,
        customer_id,
        order_date,
        order_day_number,
        order_count,
        net_revenue_usd,
        completed_order_count_to_date,
        first_order_date,
        previous_order_date,
        next_order_date,
        cadence_gap_days,
        at_risk_after_days,
        churned_after_days,
        {#- The gap is held against the churn threshold in force before this order day. -#}
        coalesce(
            {{ dbt.datediff('previous_order_date', 'order_date', 'day') }}
                > lag(churned_after_days) over (
                    partition by evaluation_date, customer_id order by order_date
                ),
            false
        ) as is_reactivation
    from thresholds
)

select * from final
