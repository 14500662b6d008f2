with

lifecycle as (
    select * from {{ ref('int_customer_lifecycle_monthly') }}
),

final as (
    select
        {{ dbt.concat(["customer_id", "'|'", "cast(month_start_date as " ~ dbt.type_string() ~ ")"]) }}
            as customer_month_id,
        customer_id,
        month_start_date,
        month_end_date,
        lifecycle_stage,
        completed_order_count,
        last_order_date
    from lifecycle
)

select * from final
