{#-
    Customers moving from their stage at the end of the previous month to their stage at the end
    of this one (staying put included), for lifecycle flow (Sankey) charts. Customers first seen
    in the month come from 'none'.
-#}
with

lifecycle as (
    select * from {{ ref('int_customer_lifecycle_monthly') }}
),

flows as (
    select
        month_start_date,
        coalesce(previous_month_stage, 'none') as from_stage,
        lifecycle_stage as to_stage,
        count(*) as customer_count
    from lifecycle
    group by 1, 2, 3
),

final as (
    select
        {{ dbt.concat([
            "cast(month_start_date as " ~ dbt.type_string() ~ ")", "'|'", "from_stage", "'|'",
            "to_stage",
        ]) }} as lifecycle_flow_id,
        month_start_date,
        from_stage,
        to_stage,
        from_stage <> to_stage as is_stage_change,
        customer_count
    from flows
)

select * from final
