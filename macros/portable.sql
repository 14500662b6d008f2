{#- Engine-specific SQL lives here, one dispatch macro per need (DuckDB and Spark). -#}

{% macro try_cast_value(expression, data_type) %}
    {{ return(adapter.dispatch('try_cast_value', 'customer_warehouse')(expression, data_type)) }}
{% endmacro %}

{% macro default__try_cast_value(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}


{#- ISO 8601 text with or without an offset, to a UTC timestamp without time zone. -#}
{% macro try_cast_timestamp(expression) %}
    {{ return(adapter.dispatch('try_cast_timestamp', 'customer_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__try_cast_timestamp(expression) -%}
    {#- text without an offset is read in the session time zone, UTC (profiles.yml) -#}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}

{% macro default__try_cast_timestamp(expression) -%}
    {#- Spark reads the offset and stores the instant; spark.sql.session.timeZone must be UTC -#}
    try_cast({{ expression }} as timestamp)
{%- endmacro %}


{% macro row_to_json(relation_alias, column_names, column_suffix='') %}
    {{ return(adapter.dispatch('row_to_json', 'customer_warehouse')(
        relation_alias, column_names, column_suffix)) }}
{% endmacro %}

{% macro duckdb__row_to_json(relation_alias, column_names, column_suffix) -%}
    cast(to_json(struct_pack(
        {%- for name in column_names %}
        {{ name }} := cast({{ relation_alias }}.{{ name ~ column_suffix }} as varchar)
        {{- "," if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro default__row_to_json(relation_alias, column_names, column_suffix) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', cast({{ relation_alias }}.{{ name ~ column_suffix }} as string)
        {{- "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}


{% macro digits_only(expression) %}
    {{ return(adapter.dispatch('digits_only', 'customer_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro default__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '')
{%- endmacro %}


{% macro sha256_hex(expression) %}
    {{ return(adapter.dispatch('sha256_hex', 'customer_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}


{#- The value of `column` on the row with the lowest `rank` among rows where it is not null. -#}
{% macro value_with_lowest_rank(column, rank) %}
    {{ return(adapter.dispatch('value_with_lowest_rank', 'customer_warehouse')(column, rank)) }}
{% endmacro %}

{% macro default__value_with_lowest_rank(column, rank) -%}
    min_by({{ column }}, case when {{ column }} is not null then {{ rank }} end)
{%- endmacro %}


{#- A text field of a JSON object held in a text column (null when absent or not JSON). -#}
{% macro json_text_field(column, field) %}
    {{ return(adapter.dispatch('json_text_field', 'customer_warehouse')(column, field)) }}
{% endmacro %}

{% macro duckdb__json_text_field(column, field) -%}
    json_extract_string(try_cast({{ column }} as json), '$.{{ field }}')
{%- endmacro %}

{% macro default__json_text_field(column, field) -%}
    get_json_object({{ column }}, '$.{{ field }}')
{%- endmacro %}


{#-
    A 64-bit hash of a list of text expressions (a raw row's fields as written), to compare rows
    cheaply (are all raw rows of a key the same?) without building their text. Nulls hash by
    position, so ('a', null) and (null, 'a') differ. Two different rows share one with
    probability 2^-64; docs/quality-gates.md.
-#}
{% macro values_fingerprint(expressions) %}
    {{ return(adapter.dispatch('values_fingerprint', 'customer_warehouse')(expressions)) }}
{% endmacro %}

{% macro duckdb__values_fingerprint(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro default__values_fingerprint(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}


{#- a = b where two nulls are equal too (the grouping of a group by, as a join condition). -#}
{% macro null_safe_equals(left, right) %}
    {{ return(adapter.dispatch('null_safe_equals', 'customer_warehouse')(left, right)) }}
{% endmacro %}

{% macro default__null_safe_equals(left, right) -%}
    ({{ left }}) is not distinct from ({{ right }})
{%- endmacro %}

{% macro spark__null_safe_equals(left, right) -%}
    ({{ left }}) <=> ({{ right }})
{%- endmacro %}


{#-
    The keyword that makes a CTE computed once even when read twice (DuckDB inlines a CTE in
    each place it is read unless told otherwise). Spark has none; there the CTE is computed
    twice, as before.
-#}
{% macro materialized_cte() %}
    {{ return(adapter.dispatch('materialized_cte', 'customer_warehouse')()) }}
{% endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}
