{#
    Connected components of the identity graph: every source record gets the smallest record id
    of its component. Computed by label propagation repeated until no label changes
    (macro identity_connected_components), so any chain of links, however long, collapses into
    one component. After the first run only the components that new, removed or re-linked
    records touch are resolved again (docs/identity-resolution.md, "Incremental components").
#}
{{ config(materialized='table') }}

{%- set labels = identity_connected_components(
    nodes=ref('int_identity_source_records'),
    node_column='source_record_id',
    edges=ref('int_identity_edges'),
    edge_columns=('source_record_id', 'linked_source_record_id'),
) %}

with

labels as (
    select * from {{ labels }}
),

final as (
    select
        node_id as source_record_id,
        component_id
    from labels
)

select * from final
