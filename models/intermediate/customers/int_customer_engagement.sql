{#-
    Email and web/app activity per customer in the engagement windows before the as-of date (the
    short window is the engagement_short_window_days up to and including the as-of date, the long
    one engagement_long_window_days); activity after the as-of date is not counted.
    App activity is tracking from the ios and android platforms; web activity is every platform.
-#}
with

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

email_activity as (
    select
        recipients.customer_id,
        email_events.event_type,
        email_events.occurred_at,
        {{ dbt.datediff('email_events.occurred_at', 'as_of.as_of_date', 'day') }} as days_ago
    from email_events
    inner join resolved as recipients
        on recipients.source_table = 'email__recipients'
        and recipients.record_key = lower(trim(email_events.email))
    cross join as_of
    where cast(email_events.occurred_at as date) <= as_of.as_of_date
),

web_activity as (
    select
        devices.customer_id,
        web_events.platform,
        web_events.occurred_at,
        {{ dbt.datediff('web_events.occurred_at', 'as_of.as_of_date', 'day') }} as days_ago
    from web_events
    inner join resolved as devices
        on devices.source_table = 'web__devices'
        and devices.record_key = web_events.anonymous_id
    cross join as_of
    where cast(web_events.occurred_at as date) <= as_of.as_of_date
),

{%- set short = var('engagement_short_window_days') %}
{%- set long = var('engagement_long_window_days') %}

email_summary as (
    select
        customer_id,
        count(case when event_type = 'open' and days_ago < {{ short }} then 1 end)
            as short_window_email_open_count,
        count(case when event_type = 'click' and days_ago < {{ short }} then 1 end)
            as short_window_email_click_count,
        count(case when event_type = 'open' and days_ago < {{ long }} then 1 end)
            as long_window_email_open_count,
        count(case when event_type = 'click' and days_ago < {{ long }} then 1 end)
            as long_window_email_click_count,
        max(case when event_type in ('open', 'click') then occurred_at end)
            as last_email_engaged_at
    from email_activity
    group by 1
),

web_summary as (
    select
        customer_id,
        count(case when days_ago < {{ short }} then 1 end) as short_window_web_event_count,
        count(case when days_ago < {{ long }} then 1 end) as long_window_web_event_count,
        count(case when days_ago < {{ short }} and platform in ('ios', 'android') then 1 end)
            as short_window_app_event_count,
        count(case when days_ago < {{ long }} and platform in ('ios', 'android') then 1 end)
            as long_window_app_event_count,
        max(occurred_at) as last_web_seen_at
    from web_activity
    group by 1
),

final as (
    select
        coalesce(email_summary.customer_id, web_summary.customer_id) as customer_id,
        coalesce(email_summary.short_window_email_open_count, 0) as short_window_email_open_count,
        coalesce(email_summary.short_window_email_click_count, 0)
            as short_window_email_click_count,
        coalesce(email_summary.long_window_email_open_count, 0) as long_window_email_open_count,
        coalesce(email_summary.long_window_email_click_count, 0) as long_window_email_click_count,
        email_summary.last_email_engaged_at,
        coalesce(web_summary.short_window_web_event_count, 0) as short_window_web_event_count,
        coalesce(web_summary.long_window_web_event_count, 0) as long_window_web_event_count,
        coalesce(web_summary.short_window_app_event_count, 0) as short_window_app_event_count,
        coalesce(web_summary.long_window_app_event_count, 0) as long_window_app_event_count,
        web_summary.last_web_seen_at
    from email_summary
    full outer join web_summary
        on email_summary.customer_id = web_summary.customer_id
)

select * from final
