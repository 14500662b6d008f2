{#
    Label propagation to convergence. Every node starts with its own id as label; each pass gives
    every node the smallest label among itself and its neighbours; passes repeat until no label
    changes (or identity_max_iterations, which raises an error rather than return a partial
    answer). Only create-table-as-select, joins and dbt's rename_relation: runs on any engine dbt
    supports.

    Returns the relation holding (node_id, component_id). The working tables live next to the
    calling model, named after it.
#}
{% macro identity_connected_components(nodes, node_column, edges, edge_columns) %}
    {%- set labels = this.incorporate(
        path={"identifier": this.identifier ~ "__labels"}, type="table"
    ) -%}
    {%- set next_labels = this.incorporate(
        path={"identifier": this.identifier ~ "__labels_next"}, type="table"
    ) -%}
    {#- Only a run or build computes; compile and docs generation just name the relation. -#}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return(labels) }}
    {%- endif -%}
    {%- set left_column, right_column = edge_columns -%}

    {%- call statement('seed_labels') -%}
        create or replace table {{ labels }} as
        select distinct {{ node_column }} as node_id, {{ node_column }} as component_id
        from {{ nodes }}
    {%- endcall -%}

    {%- set max_iterations = var('identity_max_iterations') | int -%}
    {%- set state = {'converged': false, 'passes': 0} -%}
    {%- for iteration in range(max_iterations) if not state.converged -%}
        {%- call statement('propagate') -%}
            create or replace table {{ next_labels }} as
            with candidates as (
                select node_id, component_id from {{ labels }}
                union all
                select edges.{{ left_column }}, labels.component_id
                from {{ edges }} as edges
                inner join {{ labels }} as labels on labels.node_id = edges.{{ right_column }}
                union all
                select edges.{{ right_column }}, labels.component_id
                from {{ edges }} as edges
                inner join {{ labels }} as labels on labels.node_id = edges.{{ left_column }}
            )
            select node_id, min(component_id) as component_id
            from candidates
            group by node_id
        {%- endcall -%}
        {%- set changed = run_query(
            "select count(*) from " ~ labels ~ " as current_labels inner join " ~ next_labels
            ~ " as next_labels on current_labels.node_id = next_labels.node_id"
            ~ " where current_labels.component_id <> next_labels.component_id"
        ).columns[0].values()[0] -%}
        {#- A rename, not a copy: copying the labels cost a full write of the table per pass. -#}
        {%- do adapter.drop_relation(labels) -%}
        {%- do adapter.rename_relation(next_labels, labels) -%}
        {%- do state.update({'passes': iteration + 1, 'converged': changed == 0}) -%}
    {%- endfor -%}

    {%- if not state.converged -%}
        {{ exceptions.raise_compiler_error(
            "identity_connected_components did not converge in " ~ max_iterations
            ~ " passes; raise the identity_max_iterations var") }}
    {%- endif -%}
    {%- do log("identity_connected_components converged after " ~ state.passes ~ " passes", info=false) -%}
    {%- call statement('drop_next_labels') -%}
        drop table if exists {{ next_labels }}
    {%- endcall -%}
    {{ return(labels) }}
{% endmacro %}
