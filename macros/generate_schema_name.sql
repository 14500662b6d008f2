{#
    Use folder schemas as they are named in dbt_project.yml (staging, intermediate, marts,
    audiences, reference) rather than dbt's default "<target_schema>_<custom>", so BI and exports
    read stable names like marts.customers.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
