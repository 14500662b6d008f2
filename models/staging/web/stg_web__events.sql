with

events as (
    select * from {{ ref('base_web__events') }}
    where rejection_reason is null
),

deduplicated as (
    {{ first_row_per_key('events', "event_id", 'source_file desc, raw_row desc') }}
),

final as (
    select
        event_id,
        anonymous_id,
        user_id as account_id,
        lower(event_name) as event_name,
        lower(platform) as platform,
        page_url,
        properties,
        occurred_at,
        source_file
    from deduplicated
)

select * from final
