with

engagement_events as (
    select * from {{ ref('base_email__engagement_events') }}
    where rejection_reason is null
),

deduplicated as (
    {{ first_row_per_key('engagement_events', "email_event_id", 'source_file desc, raw_row desc') }}
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
)

select * from final
