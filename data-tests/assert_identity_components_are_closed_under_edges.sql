{#
    The component loop ran to convergence: no edge joins two different components, and every
    component is labelled with its smallest source record id. Returns the offending rows.
#}
with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

edges_across_components as (
    select
        edges.source_record_id,
        'edge joins components ' || left_components.component_id || ' and '
            || right_components.component_id as problem
    from edges
    inner join components as left_components
        on edges.source_record_id = left_components.source_record_id
    inner join components as right_components
        on edges.linked_source_record_id = right_components.source_record_id
    where left_components.component_id <> right_components.component_id
),

mislabelled_components as (
    select
        component_id as source_record_id,
        'component label is not its smallest record id' as problem
    from components
    group by component_id
    having min(source_record_id) <> component_id
),

final as (
    select * from edges_across_components
    union all
    select * from mislabelled_components
)

select * from final
