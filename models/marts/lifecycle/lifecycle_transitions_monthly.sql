with

lifecycle as (
    select * from {{ ref('int_customer_lifecycle_monthly') }}
),

final as (
    select
        {{ dbt.concat(["customer_id", "'|'", "cast(month_start_date as " ~ dbt.type_string() ~ ")"]) }}
            as lifecycle_transition_id,
        customer_id,
        month_start_date,
        previous_month_stage as from_stage,
        lifecycle_stage as to_stage
    from lifecycle
    where previous_month_stage is not null
        and previous_month_stage <> lifecycle_stage
)

select * from final
