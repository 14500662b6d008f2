{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='email_event_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

engagement_events as (
    select * from {{ ref('base_email__engagement_events') }}
    where rejection_reason is null
    {{- touched_keys_only('base_email__engagement_events', 'email_event_id') }}
),

deduplicated as (
    {{ first_row_per_key('engagement_events', "email_event_id", 'source_file desc, raw_fingerprint desc') }}
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
        source_file,
        typed_at
    from deduplicated
)

select * from final
