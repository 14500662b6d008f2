with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

measured as (
    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as ticket_month,
        ticket_status,
        csat_score,
        {{ dbt.datediff('created_at', 'first_response_at', 'minute') }} as first_response_minutes,
        {{ dbt.datediff('created_at', 'resolved_at', 'minute') }} as resolution_minutes
    from tickets
),

final as (
    select
        ticket_month,
        count(*) as ticket_count,
        count(case when ticket_status in ('solved', 'closed') then 1 end)
            as resolved_ticket_count,
        -- Averaged in whole minutes, an exact sum, then turned into hours: a sum of fractional
        -- hours depends on the order rows arrive in, and a rerun must publish the same marts.
        avg(first_response_minutes) / 60.0 as average_first_response_hours,
        avg(resolution_minutes) / 60.0 as average_resolution_hours,
        count(csat_score) as csat_response_count,
        avg(csat_score) as average_csat_score,
        case when count(csat_score) > 0
            then cast(count(case when csat_score >= 4 then 1 end) as double)
                / count(csat_score)
        end as csat_satisfied_rate
    from measured
    group by 1
)

select * from final
