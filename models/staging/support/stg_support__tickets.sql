with

tickets as (
    select * from {{ ref('base_support__tickets') }}
    where rejection_reason is null
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

deduplicated as (
    {{ first_row_per_key('tickets', "ticket_id", 'source_file desc, raw_row desc') }}
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
        deduplicated.source_file
    from deduplicated
    left join default_phone_country on 1 = 1
)

select * from final
