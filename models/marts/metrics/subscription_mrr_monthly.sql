{#
    MRR movements per month, measured per billing account (a logo). The billing export has one
    row per subscription with its current MRR and no change history, so a plan change is seen
    only as one subscription cancelled and another started on the same account: the account's
    MRR at the month end against its MRR at the month start gives expansion or contraction.
    ending MRR = starting + new + expansion - contraction - churned, for every month.
#}
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
        subscriptions.account_id,
        subscriptions.mrr_usd,
        cast(subscriptions.started_at as date) < calendar_months.month_start_date
            and (subscriptions.cancelled_at is null
                or cast(subscriptions.cancelled_at as date) >= calendar_months.month_start_date)
            as is_active_at_start,
        cast(subscriptions.started_at as date) <= calendar_months.month_end_date
            and (subscriptions.cancelled_at is null
                or cast(subscriptions.cancelled_at as date) > calendar_months.month_end_date)
            as is_active_at_end
    from calendar_months
    cross join subscriptions
),

account_months as (
    select
        month_start_date,
        account_id,
        count(case when is_active_at_end then 1 end) as active_subscription_count,
        coalesce(sum(case when is_active_at_start then mrr_usd end), 0) as starting_mrr_usd,
        coalesce(sum(case when is_active_at_end then mrr_usd end), 0) as ending_mrr_usd
    from subscription_months
    group by 1, 2
),

account_movements as (
    select
        month_start_date,
        account_id,
        active_subscription_count,
        starting_mrr_usd,
        ending_mrr_usd,
        starting_mrr_usd > 0 as is_active_at_start,
        ending_mrr_usd > 0 as is_active_at_end,
        case when starting_mrr_usd = 0 then ending_mrr_usd else 0 end as new_mrr_usd,
        case when starting_mrr_usd > 0 and ending_mrr_usd > starting_mrr_usd
            then ending_mrr_usd - starting_mrr_usd else 0 end as expansion_mrr_usd,
        case when ending_mrr_usd > 0 and ending_mrr_usd < starting_mrr_usd
            then starting_mrr_usd - ending_mrr_usd else 0 end as contraction_mrr_usd,
        case when starting_mrr_usd > 0 and ending_mrr_usd = 0
            then starting_mrr_usd else 0 end as churned_mrr_usd
    from account_months
),

monthly as (
    select
        month_start_date,
        cast(sum(active_subscription_count) as bigint) as active_subscription_count,
        count(case when is_active_at_start then 1 end) as starting_account_count,
        count(case when is_active_at_end then 1 end) as active_account_count,
        count(case when not is_active_at_start and is_active_at_end then 1 end)
            as new_account_count,
        count(case when is_active_at_start and not is_active_at_end then 1 end)
            as churned_account_count,
        sum(starting_mrr_usd) as starting_mrr_usd,
        sum(ending_mrr_usd) as mrr_usd,
        sum(new_mrr_usd) as new_mrr_usd,
        sum(expansion_mrr_usd) as expansion_mrr_usd,
        sum(contraction_mrr_usd) as contraction_mrr_usd,
        sum(churned_mrr_usd) as churned_mrr_usd
    from account_movements
    group by 1
),

final as (
    select
        calendar_months.month_start_date,
        coalesce(monthly.active_subscription_count, 0) as active_subscription_count,
        coalesce(monthly.mrr_usd, 0) as mrr_usd,
        coalesce(monthly.new_mrr_usd, 0) as new_mrr_usd,
        coalesce(monthly.churned_mrr_usd, 0) as churned_mrr_usd,
        coalesce(monthly.starting_mrr_usd, 0) as starting_mrr_usd,
        case when monthly.starting_mrr_usd > 0
            then cast(
                (monthly.starting_mrr_usd + monthly.expansion_mrr_usd
                    - monthly.contraction_mrr_usd - monthly.churned_mrr_usd)
                / monthly.starting_mrr_usd as double
            )
        end as net_revenue_retention,
        coalesce(monthly.expansion_mrr_usd, 0) as expansion_mrr_usd,
        coalesce(monthly.contraction_mrr_usd, 0) as contraction_mrr_usd,
        case when monthly.starting_mrr_usd > 0
            then cast(
                (monthly.starting_mrr_usd - monthly.contraction_mrr_usd
                    - monthly.churned_mrr_usd)
                / monthly.starting_mrr_usd as double
            )
        end as gross_revenue_retention,
        coalesce(monthly.starting_account_count, 0) as starting_account_count,
        coalesce(monthly.active_account_count, 0) as active_account_count,
        coalesce(monthly.new_account_count, 0) as new_account_count,
        coalesce(monthly.churned_account_count, 0) as churned_account_count,
        case when monthly.starting_account_count > 0
            then cast(monthly.churned_account_count as double) / monthly.starting_account_count
        end as logo_churn_rate
    from calendar_months
    left join monthly
        on calendar_months.month_start_date = monthly.month_start_date
)

select * from final
