with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

final as (
    select
        source_records.source_table,
        source_records.record_key,
        source_records.source_record_id,
        {{ dbt.concat(["'cus_'", dbt.right(dbt.hash("components.component_id"), 16)]) }}
            as customer_id,
        components.component_id
    from source_records
    inner join components
        on source_records.source_record_id = components.source_record_id
)

select * from final
