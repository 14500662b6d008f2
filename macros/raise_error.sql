{#
    Make a query fail with `message` (a SQL string expression) for every row it is evaluated on.
    Used by the quarantine gate to put a readable reason into dbt's error output.
#}
{% macro raise_error(message) %}
    {{ return(adapter.dispatch('raise_error', 'customer_warehouse')(message)) }}
{% endmacro %}

{% macro duckdb__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{#- Spark 3.1+ -#}
{% macro default__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
