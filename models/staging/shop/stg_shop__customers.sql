{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='account_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

customers as (
    select * from {{ ref('base_shop__customers') }}
    where rejection_reason is null
    {{- touched_keys_only('base_shop__customers', 'account_id') }}
),

calling_codes as (
    select * from {{ ref('country_calling_codes') }}
),

-- The latest version of an account wins; exact duplicates collapse into one.
latest_versions as (
    {{ first_row_per_key('customers', "account_id", 'updated_at desc, source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        latest_versions.account_id,
        latest_versions.email,
        {{ normalize_email('latest_versions.email') }} as email_normalized,
        {{ normalize_phone(
            'latest_versions.phone',
            'calling_codes.calling_code',
            'calling_codes.trunk_prefix',
            "coalesce(latest_versions.country_code, '" ~ var('default_phone_country') ~ "')"
        ) }} as phone_e164,
        latest_versions.first_name,
        latest_versions.last_name,
        latest_versions.address_line1,
        latest_versions.city,
        latest_versions.postcode,
        latest_versions.country_code,
        latest_versions.date_of_birth,
        lower(latest_versions.acquisition_channel) as acquisition_channel,
        latest_versions.created_at,
        latest_versions.updated_at,
        latest_versions.source_file,
        latest_versions.typed_at
    from latest_versions
    left join calling_codes
        on calling_codes.country_code
        = coalesce(latest_versions.country_code, '{{ var("default_phone_country") }}')
)

select * from final
