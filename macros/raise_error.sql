{#
    Make a query fail with `message` (a SQL string expression) for every row it is evaluated on.
    Used by the quarantine gate and the row accounting test to put a readable reason into dbt's
    error output. Call it in a filter (`where {{ raise_error(...) }} is null`), not as a column:
    dbt wraps a test in `select count(*) from (...)`, and DuckDB drops a column nobody reads, so
    the error would never be raised.
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
