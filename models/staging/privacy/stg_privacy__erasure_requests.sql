with

erasure_requests as (
    select * from {{ ref('base_privacy__erasure_requests') }}
    where rejection_reason is null
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

deduplicated as (
    {{ first_row_per_key('erasure_requests', "erasure_request_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        deduplicated.erasure_request_id,
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
        deduplicated.requested_at,
        lower(deduplicated.source) as request_source,
        deduplicated.source_file
    from deduplicated
    left join default_phone_country on 1 = 1
)

select * from final
