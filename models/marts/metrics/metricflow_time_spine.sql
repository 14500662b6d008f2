{#-
    The day-grain time spine MetricFlow needs to fill and join metric time (dbt's semantic layer
    finds it through the time_spine config in _metrics__semantic_models.yml). Fixed bounds, so it
    is the same on every run: the demo and any realistic history fit between them.
-#}
with

digits as (
    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9
),

day_offsets as (
    select
        thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + units.digit
            as day_offset
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_offset', "cast('2015-01-01' as date)") }} as date)
            as date_day
    from day_offsets
),

final as (
    select date_day
    from days
    where date_day < cast('2036-01-01' as date)
)

select * from final
