{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

events as (
    select * from {{ ref('base_web__events') }}
    where rejection_reason is null
    {{- touched_keys_only('base_web__events', 'event_id') }}
),

deduplicated as (
    {{ first_row_per_key('events', "event_id", 'source_file desc, raw_fingerprint desc') }}
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
        source_file,
        typed_at
    from deduplicated
)

select * from final
