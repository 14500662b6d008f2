with

events as (
    select * from {{ ref('base_web__events') }}
    where rejection_reason is null
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by event_id order by source_file desc, raw_row desc
        ) as duplicate_rank
    from events
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
    where duplicate_rank = 1
)

select * from final
