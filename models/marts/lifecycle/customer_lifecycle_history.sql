with

history as (
    select * from {{ ref('int_customer_lifecycle_history') }}
),

final as (
    select
        {{ dbt.concat([
            "customer_id", "'|'", "cast(valid_from_date as " ~ dbt.type_string() ~ ")"
        ]) }} as customer_lifecycle_history_id,
        customer_id,
        lifecycle_stage,
        previous_stage,
        valid_from_date,
        valid_to_date,
        is_current
    from history
)

select * from final
