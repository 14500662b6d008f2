{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='consent_event_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

consent_events as (
    select * from {{ ref('base_consent__events') }}
    where rejection_reason is null
    {{- touched_keys_only('base_consent__events', 'consent_event_id') }}
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

deduplicated as (
    {{ first_row_per_key('consent_events', "consent_event_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        deduplicated.consent_event_id,
        deduplicated.identifier,
        lower(deduplicated.identifier_type) as identifier_type,
        case lower(deduplicated.identifier_type)
            when 'email' then {{ normalize_email('deduplicated.identifier') }}
            when 'phone' then {{ normalize_phone(
                'deduplicated.identifier',
                'default_phone_country.calling_code',
                'default_phone_country.trunk_prefix'
            ) }}
            else deduplicated.identifier
        end as identifier_normalized,
        lower(deduplicated.channel) as channel,
        lower(deduplicated.purpose) as purpose,
        lower(deduplicated.status) as consent_status,
        lower(deduplicated.status) = 'granted' as is_granted,
        deduplicated.occurred_at,
        lower(deduplicated.source) as consent_source,
        deduplicated.source_file,
        deduplicated.typed_at
    from deduplicated
    left join default_phone_country on 1 = 1
)

select * from final
