{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='contact_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

contacts as (
    select * from {{ ref('base_crm__contacts') }}
    where rejection_reason is null
    {{- touched_keys_only('base_crm__contacts', 'contact_id') }}
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

latest_versions as (
    {{ first_row_per_key('contacts', "contact_id", 'updated_at desc, source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        latest_versions.contact_id,
        latest_versions.email,
        {{ normalize_email('latest_versions.email') }} as email_normalized,
        {{ normalize_phone(
            'latest_versions.phone',
            'default_phone_country.calling_code',
            'default_phone_country.trunk_prefix'
        ) }} as phone_e164,
        latest_versions.first_name,
        latest_versions.last_name,
        latest_versions.company_name,
        lower(latest_versions.industry) as industry,
        latest_versions.company_size,
        lower(latest_versions.lead_source) as lead_source,
        lower(latest_versions.lead_status) as lead_status,
        lower(latest_versions.owner_email) as owner_email,
        latest_versions.created_at,
        latest_versions.updated_at,
        latest_versions.source_file,
        latest_versions.typed_at
    from latest_versions
    left join default_phone_country on 1 = 1
)

select * from final
