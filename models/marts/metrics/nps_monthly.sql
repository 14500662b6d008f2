with

responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

final as (
    select
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as response_month,
        count(*) as response_count,
        count(case when nps_category = 'promoter' then 1 end) as promoter_count,
        count(case when nps_category = 'passive' then 1 end) as passive_count,
        count(case when nps_category = 'detractor' then 1 end) as detractor_count,
        100.0 * (
            count(case when nps_category = 'promoter' then 1 end)
            - count(case when nps_category = 'detractor' then 1 end)
        ) / count(*) as net_promoter_score
    from responses
    group by 1
)

select * from final
