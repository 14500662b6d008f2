with

responses as (
    select * from {{ ref('base_surveys__nps_responses') }}
    where rejection_reason is null
),

deduplicated as (
    {{ first_row_per_key('responses', "response_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        response_id,
        email,
        {{ normalize_email('email') }} as email_normalized,
        score as nps_score,
        case
            when score >= 9 then 'promoter'
            when score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        comment,
        responded_at,
        source_file
    from deduplicated
)

select * from final
