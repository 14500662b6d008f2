{#
    Email addresses that must not get marketing email whatever their consent says: hard bounces
    and spam complaints (permanent), and ESP unsubscribes (until a newer consent grant).
#}
with

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
    where email_normalized is not null
),

final as (
    select
        email_normalized as identifier_value,
        max(case when event_type = 'bounce' and bounce_type = 'hard' then occurred_at end)
            as hard_bounced_at,
        max(case when event_type = 'spam_complaint' then occurred_at end) as complained_at,
        max(case when event_type = 'unsubscribe' then occurred_at end) as unsubscribed_at
    from email_events
    where event_type in ('bounce', 'spam_complaint', 'unsubscribe')
    group by 1
)

select * from final
