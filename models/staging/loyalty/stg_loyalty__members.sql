with

members as (
    select * from {{ ref('base_loyalty__members') }}
    where rejection_reason is null
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

latest_versions as (
    {{ first_row_per_key('members', "loyalty_id", 'updated_at desc, source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        latest_versions.loyalty_id,
        latest_versions.email,
        {{ normalize_email('latest_versions.email') }} as email_normalized,
        {{ normalize_phone(
            'latest_versions.phone',
            'default_phone_country.calling_code',
            'default_phone_country.trunk_prefix'
        ) }} as phone_e164,
        lower(latest_versions.tier) as loyalty_tier,
        latest_versions.points_balance,
        latest_versions.joined_at,
        latest_versions.updated_at,
        latest_versions.source_file
    from latest_versions
    left join default_phone_country on 1 = 1
)

select * from final
