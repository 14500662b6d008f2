with

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

edges as (
    select * from {{ ref('int_identity_edges') }}
),

link_rules as (
    select
        source_record_id,
        min(link_rule) as link_rule
    from (
        select source_record_id, link_rule from edges
        union all
        select linked_source_record_id, link_rule from edges
    ) as record_rules
    group by 1
),

final as (
    select
        resolved.source_record_id,
        resolved.customer_id,
        resolved.source_table,
        resolved.record_key,
        coalesce(link_rules.link_rule, 'unlinked') as link_rule
    from resolved
    left join link_rules
        on resolved.source_record_id = link_rules.source_record_id
)

select * from final
