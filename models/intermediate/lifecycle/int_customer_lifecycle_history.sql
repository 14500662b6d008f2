{#-
    Each customer's lifecycle stage as a series of intervals, from the day they were first seen
    to the as-of date. A stage can only change on an order day or on a day a threshold is crossed
    (the new window ends, the at-risk or churned threshold after the last order day passes), so
    the stage is evaluated on those days alone (macro lifecycle_stage, rules in
    docs/lifecycle-and-metrics.md) and equal neighbours are merged: the result is the same as a
    daily evaluation without a row per customer per day.
-#}
with

profiles as (
    select * from {{ ref('int_customer_profiles') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

order_days as (
    select * from {{ ref('int_customer_order_days') }}
    where evaluation_role = 'as_of'
),

customers_seen as (
    select
        profiles.customer_id,
        cast(profiles.first_seen_at as date) as first_seen_date,
        as_of.as_of_date
    from profiles
    cross join as_of
    where cast(profiles.first_seen_at as date) <= as_of.as_of_date
),

first_order_days as (
    select
        customer_id,
        min(order_date) as first_order_date
    from order_days
    group by 1
),

lead_points as (
    select
        customers_seen.customer_id,
        customers_seen.first_seen_date as stage_date,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date,
        cast(null as integer) as at_risk_after_days,
        cast(null as integer) as churned_after_days,
        false as is_last_order_reactivation
    from customers_seen
    left join first_order_days
        on customers_seen.customer_id = first_order_days.customer_id
    where first_order_days.first_order_date is null
        or customers_seen.first_seen_date < first_order_days.first_order_date
),

order_segments as (
    select
        order_days.customer_id,
        order_days.first_order_date,
        order_days.order_date as last_order_date,
        order_days.at_risk_after_days,
        order_days.churned_after_days,
        order_days.is_reactivation as is_last_order_reactivation,
        coalesce(
            cast({{ dbt.dateadd('day', -1, 'order_days.next_order_date') }} as date),
            as_of.as_of_date
        ) as segment_end_date
    from order_days
    cross join as_of
),

segment_points as (
    select *, last_order_date as stage_date from order_segments
    union all
    select *,
        cast({{ dbt.dateadd('day', var('lifecycle_new_customer_days') + 1, 'first_order_date') }}
            as date)
    from order_segments
    union all
    select *, cast({{ dbt.dateadd('day', 'at_risk_after_days + 1', 'last_order_date') }} as date)
    from order_segments
    union all
    select *, cast({{ dbt.dateadd('day', 'churned_after_days + 1', 'last_order_date') }} as date)
    from order_segments
),

order_points as (
    select distinct
        customer_id,
        stage_date,
        first_order_date,
        last_order_date,
        at_risk_after_days,
        churned_after_days,
        is_last_order_reactivation
    from segment_points
    where stage_date >= last_order_date
        and stage_date <= segment_end_date
),

staged_points as (
    select
        customer_id,
        stage_date,
        {{ lifecycle_stage('stage_date') }} as lifecycle_stage
    from (
        select * from lead_points
        union all
        select * from order_points
    ) as points
),

with_previous as (
    select
        customer_id,
        stage_date,
        lifecycle_stage,
        lag(lifecycle_stage) over (partition by customer_id order by stage_date) as previous_stage
    from staged_points
),

changes as (
    select * from with_previous
    where previous_stage is null
        or previous_stage <> lifecycle_stage
),

final as (
    select
        changes.customer_id,
        changes.lifecycle_stage,
        changes.previous_stage,
        changes.stage_date as valid_from_date,
        coalesce(
            cast({{ dbt.dateadd('day', -1, 'lead(changes.stage_date) over (
                partition by changes.customer_id order by changes.stage_date)') }} as date),
            as_of.as_of_date
        ) as valid_to_date,
        lead(changes.stage_date) over (
            partition by changes.customer_id order by changes.stage_date
        ) is null as is_current
    from changes
    cross join as_of
)

select * from final
