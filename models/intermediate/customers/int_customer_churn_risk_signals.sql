{#-
    The churn-risk signals of every customer with a completed order, on each evaluation date
    (int_lifecycle_evaluation_dates), from data up to that date only, each scaled to [0, 1] with
    1 meaning more risk (docs/customer-360.md):
    - recency: days since the last order day over the customer's churn threshold (which follows
      their own purchase cadence), capped at 1;
    - frequency: 1 - completed orders in the past 365 days / churn_risk_frequency_target_orders;
    - monetary trend: net revenue of days 181-360 back over that of the past 360 days (1 when
      nothing was spent in a year, 0.5 for flat spend, 0 when all of it is recent);
    - engagement: 0 with an email open or click or a web/app event in the short window, 0.5 with
      one in the long window only, 1 without;
    - support: tickets raised in the long window over churn_risk_support_ticket_cap, capped at 1;
    - nps: latest answer: detractor 1, passive 0.5, promoter 0; 0.5 without an answer.
-#}
with

order_days as (
    select * from {{ ref('int_customer_order_days') }}
),

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
    where event_type in ('open', 'click')
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

last_order_days as (
    select
        *,
        row_number() over (
            partition by evaluation_date, customer_id order by order_date desc
        ) as recency_rank
    from order_days
),

buyers as (
    select
        evaluation_date,
        evaluation_role,
        customer_id,
        first_order_date,
        order_date as last_order_date,
        at_risk_after_days,
        churned_after_days,
        is_reactivation as is_last_order_reactivation,
        completed_order_count_to_date as completed_order_count,
        {{ dbt.datediff('order_date', 'evaluation_date', 'day') }} as days_since_last_order
    from last_order_days
    where recency_rank = 1
),

order_windows as (
    select
        evaluation_date,
        customer_id,
        sum(case when {{ dbt.datediff('order_date', 'evaluation_date', 'day') }} < 365
            then order_count else 0 end) as orders_past_year_count,
        sum(case when {{ dbt.datediff('order_date', 'evaluation_date', 'day') }} < 180
            then net_revenue_usd else 0 end) as recent_revenue_usd,
        sum(case when {{ dbt.datediff('order_date', 'evaluation_date', 'day') }} >= 180
            and {{ dbt.datediff('order_date', 'evaluation_date', 'day') }} < 360
            then net_revenue_usd else 0 end) as prior_revenue_usd
    from order_days
    group by 1, 2
),

activity as (
    select
        recipients.customer_id,
        email_events.occurred_at
    from email_events
    inner join resolved as recipients
        on recipients.source_table = 'email__recipients'
        and recipients.record_key = lower(trim(email_events.email))
    union all
    select
        devices.customer_id,
        web_events.occurred_at
    from web_events
    inner join resolved as devices
        on devices.source_table = 'web__devices'
        and devices.record_key = web_events.anonymous_id
),

engagement as (
    select
        buyers.evaluation_date,
        buyers.customer_id,
        count(case when {{ dbt.datediff('activity.occurred_at', 'buyers.evaluation_date', 'day') }}
            < {{ var('engagement_short_window_days') }} then 1 end) as short_window_activity_count,
        count(activity.occurred_at) as long_window_activity_count
    from buyers
    inner join activity
        on buyers.customer_id = activity.customer_id
        and cast(activity.occurred_at as date) <= buyers.evaluation_date
        and {{ dbt.datediff('activity.occurred_at', 'buyers.evaluation_date', 'day') }}
            < {{ var('engagement_long_window_days') }}
    group by 1, 2
),

support as (
    select
        buyers.evaluation_date,
        buyers.customer_id,
        count(*) as long_window_ticket_count
    from buyers
    inner join resolved
        on buyers.customer_id = resolved.customer_id
        and resolved.source_table = 'support__tickets'
    inner join tickets
        on resolved.record_key = tickets.ticket_id
        and cast(tickets.created_at as date) <= buyers.evaluation_date
        and {{ dbt.datediff('tickets.created_at', 'buyers.evaluation_date', 'day') }}
            < {{ var('engagement_long_window_days') }}
    group by 1, 2
),

ranked_nps as (
    select
        buyers.evaluation_date,
        buyers.customer_id,
        nps_responses.nps_category,
        row_number() over (
            partition by buyers.evaluation_date, buyers.customer_id
            order by nps_responses.responded_at desc, nps_responses.response_id desc
        ) as recency_rank
    from buyers
    inner join resolved
        on buyers.customer_id = resolved.customer_id
        and resolved.source_table = 'surveys__nps_responses'
    inner join nps_responses
        on resolved.record_key = nps_responses.response_id
        and cast(nps_responses.responded_at as date) <= buyers.evaluation_date
),

final as (
    select
        buyers.evaluation_date,
        buyers.evaluation_role,
        buyers.customer_id,
        {{ lifecycle_stage('buyers.evaluation_date') }} as lifecycle_stage,
        buyers.completed_order_count,
        buyers.days_since_last_order,
        buyers.churned_after_days,
        order_windows.orders_past_year_count,
        order_windows.recent_revenue_usd,
        order_windows.prior_revenue_usd,
        coalesce(engagement.short_window_activity_count, 0) as short_window_activity_count,
        coalesce(engagement.long_window_activity_count, 0) as long_window_activity_count,
        coalesce(support.long_window_ticket_count, 0) as long_window_ticket_count,
        latest_nps.nps_category as latest_nps_category,
        least(1.0, 1.0 * buyers.days_since_last_order / buyers.churned_after_days)
            as recency_risk,
        1.0 - least(1.0, 1.0 * order_windows.orders_past_year_count
            / {{ var('churn_risk_frequency_target_orders') }}) as frequency_risk,
        case
            when order_windows.recent_revenue_usd + order_windows.prior_revenue_usd <= 0 then 1.0
            else 1.0 * order_windows.prior_revenue_usd
                / (order_windows.recent_revenue_usd + order_windows.prior_revenue_usd)
        end as monetary_trend_risk,
        case
            when engagement.short_window_activity_count > 0 then 0.0
            when engagement.long_window_activity_count > 0 then 0.5
            else 1.0
        end as engagement_risk,
        least(1.0, 1.0 * coalesce(support.long_window_ticket_count, 0)
            / {{ var('churn_risk_support_ticket_cap') }}) as support_risk,
        case latest_nps.nps_category
            when 'detractor' then 1.0
            when 'promoter' then 0.0
            else 0.5
        end as nps_risk
    from buyers
    inner join order_windows
        on buyers.evaluation_date = order_windows.evaluation_date
        and buyers.customer_id = order_windows.customer_id
    left join engagement
        on buyers.evaluation_date = engagement.evaluation_date
        and buyers.customer_id = engagement.customer_id
    left join support
        on buyers.evaluation_date = support.evaluation_date
        and buyers.customer_id = support.customer_id
    left join ranked_nps as latest_nps
        on buyers.evaluation_date = latest_nps.evaluation_date
        and buyers.customer_id = latest_nps.customer_id
        and latest_nps.recency_rank = 1
)

select * from final
