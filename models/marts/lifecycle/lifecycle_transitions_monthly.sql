with

lifecycle as (
    select * from {{ ref('int_customer_lifecycle_monthly') }}
),

with_previous as (
    select
        customer_id,
        month_start_date,
        lifecycle_stage,
        lag(lifecycle_stage) over (
            partition by customer_id order by month_start_date
        ) as previous_stage
    from lifecycle
),

final as (
    select
        {{ dbt.concat(["customer_id", "'|'", "cast(month_start_date as " ~ dbt.type_string() ~ ")"]) }}
            as lifecycle_transition_id,
        customer_id,
        month_start_date,
        previous_stage as from_stage,
        lifecycle_stage as to_stage
    from with_previous
    where previous_stage is not null
        and previous_stage <> lifecycle_stage
)

select * from final
