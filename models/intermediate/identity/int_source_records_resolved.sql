with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

identity_map as (
    select * from {{ ref('int_identity_map') }}
),

final as (
    select
        source_records.source_table,
        source_records.record_key,
        source_records.source_record_id,
        identity_map.customer_id,
        identity_map.component_id
    from source_records
    inner join identity_map
        on source_records.source_record_id = identity_map.source_record_id
)

select * from final
