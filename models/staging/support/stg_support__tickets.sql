{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

tickets as (
    select * from {{ ref('base_support__tickets') }}
    where rejection_reason is null
    {{- touched_keys_only('base_support__tickets', 'ticket_id') }}
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

deduplicated as (
    {{ first_row_per_key('tickets', "ticket_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        deduplicated.ticket_id,
        deduplicated.requester_email,
        {{ normalize_email('deduplicated.requester_email') }} as email_normalized,
        {{ normalize_phone(
            'deduplicated.requester_phone',
            'default_phone_country.calling_code',
            'default_phone_country.trunk_prefix'
        ) }} as phone_e164,
        lower(deduplicated.channel) as channel,
        lower(deduplicated.priority) as priority,
        lower(deduplicated.status) as ticket_status,
        deduplicated.subject,
        deduplicated.created_at,
        deduplicated.first_response_at,
        deduplicated.resolved_at,
        deduplicated.csat_score,
        deduplicated.source_file,
        deduplicated.typed_at
    from deduplicated
    left join default_phone_country on 1 = 1
)

select * from final
