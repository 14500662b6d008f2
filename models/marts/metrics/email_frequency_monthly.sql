{#-
    How often the email tool writes to each recipient: sends per recipient (normalized email) and
    month, the volume side of fatigue and unsubscribes. Counts are send events, so one recipient
    can count several times in a month and in a campaign.
-#}
with

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
    where event_type = 'sent'
),

recipient_months as (
    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as send_month,
        email_normalized,
        count(*) as send_count
    from email_events
    group by 1, 2
),

final as (
    select
        send_month,
        cast(sum(send_count) as bigint) as send_count,
        count(*) as recipient_count,
        cast(sum(send_count) as double) / count(*) as sends_per_recipient,
        max(send_count) as max_sends_per_recipient,
        count(case when send_count = 1 then 1 end) as single_send_recipient_count
    from recipient_months
    group by 1
)

select * from final
