{#- MRR at each month end; net revenue retention compares subscriptions alive at the month start. -#}
with

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
    where subscription_status <> 'trialing'
),

calendar_months as (
    select * from {{ ref('int_calendar_months') }}
),

subscription_months as (
    select
        calendar_months.month_start_date,
        subscriptions.subscription_id,
        subscriptions.mrr_usd,
        cast(subscriptions.started_at as date) < calendar_months.month_start_date
            and (subscriptions.cancelled_at is null
                or cast(subscriptions.cancelled_at as date) >= calendar_months.month_start_date)
            as is_active_at_start,
        cast(subscriptions.started_at as date) <= calendar_months.month_end_date
            and (subscriptions.cancelled_at is null
                or cast(subscriptions.cancelled_at as date) > calendar_months.month_end_date)
            as is_active_at_end,
        cast(subscriptions.started_at as date) >= calendar_months.month_start_date
            and cast(subscriptions.started_at as date) <= calendar_months.month_end_date
            as is_new_in_month
    from calendar_months
    cross join subscriptions
),

final as (
    select
        month_start_date,
        count(case when is_active_at_end then 1 end) as active_subscription_count,
        coalesce(sum(case when is_active_at_end then mrr_usd end), 0) as mrr_usd,
        coalesce(sum(case when is_new_in_month and is_active_at_end then mrr_usd end), 0)
            as new_mrr_usd,
        coalesce(sum(case when is_active_at_start and not is_active_at_end then mrr_usd end), 0)
            as churned_mrr_usd,
        coalesce(sum(case when is_active_at_start then mrr_usd end), 0) as starting_mrr_usd,
        case when sum(case when is_active_at_start then mrr_usd end) > 0
            then cast(
                sum(case when is_active_at_start and is_active_at_end then mrr_usd end)
                / sum(case when is_active_at_start then mrr_usd end) as double
            )
        end as net_revenue_retention
    from subscription_months
    group by 1
)

select * from final
