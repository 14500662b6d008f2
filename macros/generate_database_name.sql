{#
    On DuckDB, models configured with a database (marts and audiences: `publishable`) are built
    into that attached file (profiles.yml), which publishing copies whole (docs/publishing.md).
    Other engines build every model into the target's database: the split is a DuckDB file
    layout, not part of the models.
#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- if custom_database_name is none or target.type != 'duckdb' -%}
        {{ target.database }}
    {%- else -%}
        {{ custom_database_name | trim }}
    {%- endif -%}
{%- endmacro %}
