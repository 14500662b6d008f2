{#- The consent state of each identifier for each channel and purpose: its latest event wins. -#}
with

consent_events as (
    select * from {{ ref('stg_consent__events') }}
    where identifier_normalized is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by identifier_type, identifier_normalized, channel, purpose
            order by occurred_at desc, consent_event_id desc
        ) as recency_rank
    from consent_events
),

final as (
    select
        identifier_type,
        identifier_normalized as identifier_value,
        channel,
        purpose,
        consent_status,
        is_granted,
        occurred_at as consent_updated_at,
        consent_source
    from ranked
    where recency_rank = 1
)

select * from final
