{#
    Warehouses built before the marts and audiences moved to a file of their own
    (docs/publishing.md) hold both schemas in the working file, where they would shadow the new
    ones for readers of the working file. This on-run-start hook moves every such table into the
    publishable file (unless one of that name is there already), so incremental marts keep their
    history, and then drops the old schemas. After the first run it finds nothing to do.
#}
{% macro move_schemas_to_publishable(schemas=['marts', 'audiences']) -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- for schema in schemas -%}
            {%- set old_schema = adapter.quote(target.database) ~ '.' ~ schema -%}
            {%- set old_tables = run_query(
                "select table_name from information_schema.tables where table_catalog = '"
                ~ target.database ~ "' and table_schema = '" ~ schema
                ~ "' and table_type = 'BASE TABLE'") -%}
            {%- set has_old_schema = run_query(
                "select count(*) from duckdb_schemas() where database_name = '"
                ~ target.database ~ "' and schema_name = '" ~ schema ~ "'").columns[0][0] -%}
            {%- if has_old_schema -%}
                {%- do log('Moving schema ' ~ old_schema ~ ' (' ~ (old_tables | length)
                    ~ ' tables) to publishable.' ~ schema, info=true) -%}
                {%- do run_query('create schema if not exists publishable.' ~ schema) -%}
                {%- for row in old_tables -%}
                    {%- set table = adapter.quote(row[0]) -%}
                    {%- do run_query('create table if not exists publishable.' ~ schema ~ '.'
                        ~ table ~ ' as select * from ' ~ old_schema ~ '.' ~ table) -%}
                {%- endfor -%}
                {%- do run_query('drop schema ' ~ old_schema ~ ' cascade') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
