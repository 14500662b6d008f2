with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

final as (
    select
        {{ dbt.concat([
            "edges.source_record_id", "'>'", "edges.linked_source_record_id", "'|'",
            "edges.identifier_type",
        ]) }} as customer_record_link_id,
        resolved.customer_id,
        edges.source_record_id,
        edges.linked_source_record_id,
        edges.link_rule,
        edges.identifier_type,
        {#- The identifier is personal data: erased customers keep the rule, not the value. -#}
        case
            when erased_customers.customer_id is null then edges.identifier_value
        end as identifier_value,
        edges.match_probability
    from edges
    inner join resolved
        on edges.source_record_id = resolved.source_record_id
    left join erased_customers
        on resolved.customer_id = erased_customers.customer_id
)

select * from final
