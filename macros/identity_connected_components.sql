{#
    Connected components: every node gets the smallest node id of its component.

    Re-resolves only what changed (docs/identity-resolution.md, "Incremental components"). The
    previous run's labels (`<model>__labels`) and the edge pairs they were computed from
    (`<model>__resolved_edges`) are kept. A run compares the current nodes and edge pairs with
    them; a node is touched when it was added or removed, is an end of an added or removed
    pair, or is a neighbour of an added or removed node. Every component holding a touched node
    is resolved again, with its nodes' current edges, together with the new nodes; every other
    component keeps its labels. An untouched component has the same nodes and the same edges as
    in the previous run, so its smallest node, its label, is the same: the answer equals a full
    computation. The first run, a run without the kept pairs and `--full-refresh` compute
    every component.

    The kept pairs are dropped before the labels are replaced and written last, so a run that
    stops half-way leaves either both or no kept pairs (and the next run computes in full).

    Returns the relation holding (node_id, component_id). The working tables live next to the
    calling model, named after it; only the labels and the resolved pairs are kept.
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
    {%- for name in [
        'edge_pairs', 'resolved_edges', 'touched_components', 'affected_nodes', 'affected_pairs',
        'next_components'
    ] -%}
        {%- do working.update({name: this.incorporate(
            path={"identifier": this.identifier ~ "__" ~ name}, type="table"
        )}) -%}
    {%- endfor -%}
    {%- set left_column, right_column = edge_columns -%}
    {%- set previous_labels = adapter.get_relation(
        components.database, components.schema, components.identifier) -%}
    {%- set previous_pairs = adapter.get_relation(
        working.resolved_edges.database, working.resolved_edges.schema,
        working.resolved_edges.identifier) -%}
    {%- set is_incremental_run = previous_labels is not none and previous_pairs is not none
        and not should_full_refresh() -%}

    {#- The edge pairs as given (a reversed pair is another pair), without self-loops. -#}
    {%- call statement('edge_pairs') -%}
        create or replace table {{ working.edge_pairs }} as
        select distinct
            {{ left_column }} as left_id,
            {{ right_column }} as right_id
        from {{ edges }}
        where {{ left_column }} <> {{ right_column }}
    {%- endcall -%}

    {%- if is_incremental_run -%}
        {%- call statement('touched_components') -%}
            create or replace table {{ working.touched_components }} as
            with current_nodes as (
                select distinct {{ node_column }} as node_id from {{ nodes }}
            ),

            changed_pairs as (
                select
                    coalesce(current_pairs.left_id, previous_pairs.left_id) as left_id,
                    coalesce(current_pairs.right_id, previous_pairs.right_id) as right_id
                from {{ working.edge_pairs }} as current_pairs
                full outer join {{ working.resolved_edges }} as previous_pairs
                    on previous_pairs.left_id = current_pairs.left_id
                    and previous_pairs.right_id = current_pairs.right_id
                where current_pairs.left_id is null or previous_pairs.left_id is null
            ),

            changed_nodes as (
                select coalesce(current_nodes.node_id, previous_labels.node_id) as node_id
                from current_nodes
                full outer join {{ components }} as previous_labels
                    on previous_labels.node_id = current_nodes.node_id
                where current_nodes.node_id is null or previous_labels.node_id is null
            ),

            touched_nodes as (
                select left_id as node_id from changed_pairs
                union
                select right_id as node_id from changed_pairs
                union
                select node_id from changed_nodes
                union
                select edge_pairs.right_id as node_id
                from {{ working.edge_pairs }} as edge_pairs
                inner join changed_nodes
                    on changed_nodes.node_id = edge_pairs.left_id
                union
                select edge_pairs.left_id as node_id
                from {{ working.edge_pairs }} as edge_pairs
                inner join changed_nodes
                    on changed_nodes.node_id = edge_pairs.right_id
            )

            select distinct previous_labels.component_id
            from {{ components }} as previous_labels
            inner join touched_nodes
                on touched_nodes.node_id = previous_labels.node_id
        {%- endcall -%}
        {#- New nodes and the current nodes of touched components. -#}
        {%- call statement('affected_nodes') -%}
            create or replace table {{ working.affected_nodes }} as
            with current_nodes as (
                select distinct {{ node_column }} as node_id from {{ nodes }}
            )

            select current_nodes.node_id
            from current_nodes
            left join {{ components }} as previous_labels
                on previous_labels.node_id = current_nodes.node_id
            left join {{ working.touched_components }} as touched_components
                on touched_components.component_id = previous_labels.component_id
            where previous_labels.node_id is null
                or touched_components.component_id is not null
        {%- endcall -%}
        {#- A pair with one affected end has both affected: an unchanged pair lies within one
            previous component, and a changed one touched both its ends. -#}
        {%- call statement('affected_pairs') -%}
            create or replace table {{ working.affected_pairs }} as
            select edge_pairs.left_id, edge_pairs.right_id
            from {{ working.edge_pairs }} as edge_pairs
            inner join {{ working.affected_nodes }} as affected_nodes
                on affected_nodes.node_id = edge_pairs.left_id
        {%- endcall -%}
        {%- set found_labels = this.incorporate(
            path={"identifier": this.identifier ~ "__found_labels"}, type="table"
        ) -%}
        {%- set passes = propagate_component_labels(
            working.affected_nodes, 'node_id', working.affected_pairs, found_labels) -%}
        {%- call statement('next_components') -%}
            create or replace table {{ working.next_components }} as
            select previous_labels.node_id, previous_labels.component_id
            from {{ components }} as previous_labels
            left join {{ working.touched_components }} as touched_components
                on touched_components.component_id = previous_labels.component_id
            where touched_components.component_id is null
            union all
            select node_id, component_id
            from {{ found_labels }}
        {%- endcall -%}
        {%- set resolved_count = run_query(
            "select count(*) from " ~ working.affected_nodes).columns[0].values()[0] -%}
        {%- do log(
            "identity_connected_components re-resolved " ~ resolved_count
            ~ " nodes of touched components in " ~ passes ~ " passes", info=false) -%}
        {%- for name in ['touched_components', 'affected_nodes', 'affected_pairs'] -%}
            {%- do adapter.drop_relation(working[name]) -%}
        {%- endfor -%}
        {%- do adapter.drop_relation(found_labels) -%}
    {%- else -%}
        {%- set passes = propagate_component_labels(
            nodes, node_column, working.edge_pairs, working.next_components) -%}
        {%- do log(
            "identity_connected_components resolved every node in " ~ passes ~ " passes",
            info=false) -%}
    {%- endif -%}

    {%- do adapter.drop_relation(working.resolved_edges) -%}
    {%- do adapter.drop_relation(components) -%}
    {%- do adapter.rename_relation(working.next_components, components) -%}
    {%- do adapter.rename_relation(working.edge_pairs, working.resolved_edges) -%}
    {{ return(components) }}
{% endmacro %}


{#
    Labels `output` (node_id, component_id) with the smallest node id of each component of the
    graph of `nodes` and `edge_pairs` (left_id, right_id), and returns the number of passes.

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

    The working tables live next to the calling model, named after it, and are dropped.
#}
{% macro propagate_component_labels(nodes, node_column, edge_pairs, output) %}
    {%- set working = {} -%}
    {%- for name in ['node_numbers', 'links', 'pass_labels', 'hooked_labels', 'next_labels'] -%}
        {%- do working.update({name: this.incorporate(
            path={"identifier": this.identifier ~ "__" ~ name}, type="table"
        )}) -%}
    {%- endfor -%}

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
            from {{ edge_pairs }} as edge_pairs
            inner join {{ working.node_numbers }} as left_nodes
                on left_nodes.node_id = edge_pairs.left_id
            inner join {{ working.node_numbers }} as right_nodes
                on right_nodes.node_id = edge_pairs.right_id
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
        create or replace table {{ output }} as
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
    {{ return(state.passes) }}
{% endmacro %}
