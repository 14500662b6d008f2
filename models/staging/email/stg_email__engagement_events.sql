with

engagement_events as (
    select * from {{ ref('base_email__engagement_events') }}
    where rejection_reason is null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by email_event_id order by source_file desc, raw_row desc
        ) as duplicate_rank
    from engagement_events
),

final as (
    select
        email_event_id,
        campaign_id,
        email,
        {{ normalize_email('email') }} as email_normalized,
        lower(event_type) as event_type,
        lower(bounce_type) as bounce_type,
        url,
        occurred_at,
        source_file
    from deduplicated
    where duplicate_rank = 1
)

select * from final
