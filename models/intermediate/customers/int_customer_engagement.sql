{#- Email and web activity per customer, over the engagement windows before the as-of date. -#}
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
        email_events.occurred_at
    from email_events
    inner join resolved as recipients
        on recipients.source_table = 'email__recipients'
        and recipients.record_key = lower(trim(email_events.email))
),

web_activity as (
    select
        devices.customer_id,
        web_events.occurred_at
    from web_events
    inner join resolved as devices
        on devices.source_table = 'web__devices'
        and devices.record_key = web_events.anonymous_id
),

email_summary as (
    select
        email_activity.customer_id,
        count(case when email_activity.event_type = 'open'
            and {{ dbt.datediff('email_activity.occurred_at', 'as_of.as_of_date', 'day') }}
                <= {{ var('engagement_short_window_days') }} then 1 end)
            as recent_email_open_count,
        count(case when email_activity.event_type = 'click'
            and {{ dbt.datediff('email_activity.occurred_at', 'as_of.as_of_date', 'day') }}
                <= {{ var('engagement_short_window_days') }} then 1 end)
            as recent_email_click_count,
        max(case when email_activity.event_type in ('open', 'click')
            then email_activity.occurred_at end) as last_email_engaged_at
    from email_activity
    cross join as_of
    group by 1
),

web_summary as (
    select
        web_activity.customer_id,
        count(case when {{ dbt.datediff('web_activity.occurred_at', 'as_of.as_of_date', 'day') }}
            <= {{ var('engagement_long_window_days') }} then 1 end)
            as recent_web_event_count,
        max(web_activity.occurred_at) as last_web_seen_at
    from web_activity
    cross join as_of
    group by 1
),

final as (
    select
        coalesce(email_summary.customer_id, web_summary.customer_id) as customer_id,
        coalesce(email_summary.recent_email_open_count, 0) as recent_email_open_count,
        coalesce(email_summary.recent_email_click_count, 0) as recent_email_click_count,
        email_summary.last_email_engaged_at,
        coalesce(web_summary.recent_web_event_count, 0) as recent_web_event_count,
        web_summary.last_web_seen_at
    from email_summary
    full outer join web_summary
        on email_summary.customer_id = web_summary.customer_id
)

select * from final
