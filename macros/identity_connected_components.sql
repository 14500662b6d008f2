{#
    Connected components: every node gets the smallest node id of its component.

    Min-label propagation with shortcutting, repeated to convergence:
    - Node ids are numbered once in their sort order (row_number), so every pass joins integers,
      not long text ids, and the smallest number stands for the smallest id.
    - Only nodes with an edge take part in the passes; a node without one is its own component.
    - Each pass gives every node the smallest of its own label, its neighbours' labels and the
      label of the node its label names (a shortcut: a label is always a node of the same
      component, so its label is a valid, smaller or equal, answer). The shortcut lets a label
      travel along long chains in a logarithmic number of passes rather than one edge per pass.
    - Passes repeat until no label changes (or identity_max_iterations, which raises an error
      rather than return a partial answer). Then no label differs from a neighbour's, so every
      component carries one label, and it is its smallest node: that node's label can only
      shrink, and no smaller node is in the component.

    Only create-table-as-select, joins, window row numbers and dbt's rename_relation: runs on
    any engine dbt supports. Edges whose ends are not both among the nodes are ignored.

    Returns the relation holding (node_id, component_id). The working tables live next to the
    calling model, named after it, and only the returned one is kept.
#}
{% macro identity_connected_components(nodes, node_column, edges, edge_columns) %}
    {%- set components = this.incorporate(
        path={"identifier": this.identifier ~ "__labels"}, type="table"
    ) -%}
    {#- Only a run or build computes; compile and docs generation just name the relation. -#}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return(components) }}
    {%- endif -%}
    {%- set working = {} -%}
    {%- for name in ['node_numbers', 'links', 'pass_labels', 'hooked_labels', 'next_labels'] -%}
        {%- do working.update({name: this.incorporate(
            path={"identifier": this.identifier ~ "__" ~ name}, type="table"
        )}) -%}
    {%- endfor -%}
    {%- set left_column, right_column = edge_columns -%}

    {%- call statement('number_nodes') -%}
        create or replace table {{ working.node_numbers }} as
        select node_id, row_number() over (order by node_id) as node_number
        from (select distinct {{ node_column }} as node_id from {{ nodes }}) as distinct_nodes
    {%- endcall -%}

    {#- Both directions of every edge, between numbered nodes, once. -#}
    {%- call statement('number_links') -%}
        create or replace table {{ working.links }} as
        with numbered_edges as (
            select
                left_nodes.node_number as left_number,
                right_nodes.node_number as right_number
            from {{ edges }} as edges
            inner join {{ working.node_numbers }} as left_nodes
                on left_nodes.node_id = edges.{{ left_column }}
            inner join {{ working.node_numbers }} as right_nodes
                on right_nodes.node_id = edges.{{ right_column }}
            where left_nodes.node_number <> right_nodes.node_number
        )
        select left_number as node_number, right_number as neighbour_number
        from numbered_edges
        union
        select right_number as node_number, left_number as neighbour_number
        from numbered_edges
    {%- endcall -%}

    {%- call statement('seed_labels') -%}
        create or replace table {{ working.pass_labels }} as
        select node_number, least(node_number, min(neighbour_number)) as label
        from {{ working.links }}
        group by node_number
    {%- endcall -%}

    {%- set max_iterations = var('identity_max_iterations') | int -%}
    {%- set state = {'converged': false, 'passes': 0} -%}
    {%- for iteration in range(max_iterations) if not state.converged -%}
        {#- Hook: each node takes the smallest label among itself and its neighbours, and the
            node its label names (the root of its tree) takes the smallest such label of all its
            members; every label is a node of the same component, so nothing crosses over. -#}
        {%- call statement('hook') -%}
            create or replace table {{ working.hooked_labels }} as
            with neighbour_labels as (
                select links.node_number, min(labels.label) as label
                from {{ working.links }} as links
                inner join {{ working.pass_labels }} as labels
                    on labels.node_number = links.neighbour_number
                group by links.node_number
            ),

            propagated as (
                select
                    labels.node_number,
                    labels.label as root_number,
                    least(labels.label, neighbour_labels.label) as label
                from {{ working.pass_labels }} as labels
                inner join neighbour_labels
                    on neighbour_labels.node_number = labels.node_number
            ),

            root_labels as (
                select root_number, min(label) as label
                from propagated
                group by root_number
            )

            select
                propagated.node_number,
                least(propagated.label, coalesce(root_labels.label, propagated.label)) as label
            from propagated
            left join root_labels
                on root_labels.root_number = propagated.node_number
        {%- endcall -%}
        {#- Shortcut: every node takes its label's label, twice over, so a chain of hooked
            roots collapses in a few passes instead of one link per pass. -#}
        {%- call statement('shortcut') -%}
            create or replace table {{ working.next_labels }} as
            with jumped_once as (
                select hooked.node_number, label_nodes.label
                from {{ working.hooked_labels }} as hooked
                inner join {{ working.hooked_labels }} as label_nodes
                    on label_nodes.node_number = hooked.label
            )

            select jumped_once.node_number, label_nodes.label
            from jumped_once
            inner join jumped_once as label_nodes
                on label_nodes.node_number = jumped_once.label
        {%- endcall -%}
        {%- set changed = run_query(
            "select count(*) from " ~ working.pass_labels ~ " as current_labels inner join "
            ~ working.next_labels ~ " as next_labels"
            ~ " on current_labels.node_number = next_labels.node_number"
            ~ " where current_labels.label <> next_labels.label"
        ).columns[0].values()[0] -%}
        {#- A rename, not a copy: copying the labels cost a full write of the table per pass. -#}
        {%- do adapter.drop_relation(working.pass_labels) -%}
        {%- do adapter.drop_relation(working.hooked_labels) -%}
        {%- do adapter.rename_relation(working.next_labels, working.pass_labels) -%}
        {%- do state.update({'passes': iteration + 1, 'converged': changed == 0}) -%}
    {%- endfor -%}

    {%- if not state.converged -%}
        {{ exceptions.raise_compiler_error(
            "identity_connected_components did not converge in " ~ max_iterations
            ~ " passes; raise the identity_max_iterations var") }}
    {%- endif -%}
    {%- do log("identity_connected_components converged after " ~ state.passes ~ " passes", info=false) -%}

    {%- call statement('name_components') -%}
        create or replace table {{ components }} as
        select
            nodes.node_id,
            coalesce(component_nodes.node_id, nodes.node_id) as component_id
        from {{ working.node_numbers }} as nodes
        left join {{ working.pass_labels }} as labels
            on labels.node_number = nodes.node_number
        left join {{ working.node_numbers }} as component_nodes
            on component_nodes.node_number = labels.label
    {%- endcall -%}
    {%- for name in ['node_numbers', 'links', 'pass_labels'] -%}
        {%- do adapter.drop_relation(working[name]) -%}
    {%- endfor -%}
    {{ return(components) }}
{% endmacro %}
