{#- One row per month from the first month any customer was seen to the as-of month. -#}
with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

digits as (
    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9
),

month_offsets as (
    select hundreds.digit * 100 + tens.digit * 10 + units.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as units
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(source_records.first_seen_at)') }} as date)
            as first_month,
        max(as_of.as_of_date) as as_of_date
    from source_records
    cross join as_of
),

months as (
    select
        cast({{ dbt.dateadd('month', 'month_offsets.month_offset', 'bounds.first_month') }} as date)
            as month_start_date,
        bounds.as_of_date
    from month_offsets
    cross join bounds
),

final as (
    select
        month_start_date,
        case
            when cast({{ dbt.last_day('month_start_date', 'month') }} as date) > as_of_date
                then as_of_date
            else cast({{ dbt.last_day('month_start_date', 'month') }} as date)
        end as month_end_date
    from months
    where month_start_date <= as_of_date
)

select * from final
