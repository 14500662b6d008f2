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
        {{ json_text_field('properties', 'order_id') }} as order_id,
        {{ normalize_email(json_text_field('properties', 'email')) }} as email_normalized,
        {{ json_text_field('properties', 'email_event_id') }} as email_event_id,
        occurred_at,
        source_file
    from deduplicated
)

select * from final
