{#- Every identifier a customer is known by, with the source records it came from. -#}
with

identifiers as (
    select * from {{ ref('int_identifiers_normalized') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

final as (
    select
        resolved.customer_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        count(*) as source_record_count
    from identifiers
    inner join resolved
        on identifiers.source_record_id = resolved.source_record_id
    group by 1, 2, 3
)

select * from final
