{#
    Warehouses built before the marts and audiences moved to a file of their own
    (docs/publishing.md) hold both schemas in the working file, where they would shadow the new
    ones for readers of the working file. This on-run-start hook moves every such table into the
    publishable file (unless one of that name is there already), so incremental marts keep their
    history, and then drops the old schemas. After the first run its one query finds nothing.
#}
{% macro move_schemas_to_publishable(schemas=['marts', 'audiences']) -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set old_tables = run_query(
            "select schemas.schema_name, tables.table_name from duckdb_schemas() as schemas "
            ~ "left join duckdb_tables() as tables on tables.database_name = schemas.database_name "
            ~ "and tables.schema_name = schemas.schema_name "
            ~ "where schemas.database_name = '" ~ target.database ~ "' "
            ~ "and schemas.schema_name in ('" ~ schemas | join("', '") ~ "') order by all") -%}
        {%- for schema in old_tables.columns[0].values() | unique -%}
            {%- set old_schema = adapter.quote(target.database) ~ '.' ~ schema -%}
            {%- do log('Moving schema ' ~ old_schema ~ ' to publishable.' ~ schema, info=true) -%}
            {%- do run_query('create schema if not exists publishable.' ~ schema) -%}
            {%- for row in old_tables if row[0] == schema and row[1] is not none -%}
                {%- set table = adapter.quote(row[1]) -%}
                {%- do run_query('create table if not exists publishable.' ~ schema ~ '.'
                    ~ table ~ ' as select * from ' ~ old_schema ~ '.' ~ table) -%}
            {%- endfor -%}
            {%- do run_query('drop schema ' ~ old_schema ~ ' cascade') -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
