{#
    The body of every base model: reads one raw source table, casts each column by its kind,
    and gives each row the first reason it cannot be staged (null when it can).

    columns: list of {name, kind, required?, required_with?, accepted?, min?, max?}
      kind: text | country | currency | timestamp | date | amount | integer
      required: the value must be present (docs/sources.md "required")
      required_with: the value must be present when that other column is (currency of an amount)
      accepted: the allowed values, compared lowercased (statuses and types the logic relies on)
      min, max: inclusive bounds of a number

    Reasons are `<rule>:<column>` (`unknown_currency:<code>` for currencies), checked in this
    order: missing_required, unparseable_<kind>, negative_amount, unknown_currency,
    invalid_value, out_of_range. The first that applies is kept.
#}
{% macro typed_raw_rows(source_relation, columns, record_key) %}

with

raw_rows as (
    {{ with_every_column(source_relation, columns | map(attribute='name') | list) }}
),

currency_codes as (
    select currency_code from {{ ref('currency_rates_usd') }}
),

typed as (
    select
        {%- for column in columns %}
        {{ cast_raw_value(column.name, column.kind) }} as {{ column.name }},
        {{ raw_text(column.name) }} as {{ column.name }}__raw,
        {%- endfor %}
        {{ record_key_expression(record_key) }} as record_key,
        raw_rows.filename as source_file,
        {{ row_to_json('raw_rows', columns | map(attribute='name') | list) }} as raw_row
    from raw_rows
),

validated as (
    select
        typed.*,
        case
            {%- for column in columns if column.required %}
            when {{ column.name }}__raw is null then 'missing_required:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.required_with %}
            when {{ column.name }}__raw is null and {{ column.required_with }}__raw is not null
                then 'missing_required:{{ column.name }}'
            {%- endfor %}
            {%- set parsed_kinds = ('timestamp', 'date', 'amount', 'integer') %}
            {%- for column in columns if column.kind in parsed_kinds %}
            when {{ column.name }}__raw is not null and {{ column.name }} is null
                then 'unparseable_{{ column.kind }}:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.kind == 'amount' %}
            when {{ column.name }} < 0 then 'negative_amount:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.kind == 'currency' %}
            when {{ column.name }} is not null
                and {{ column.name }} not in (select currency_code from currency_codes)
                then {{ dbt.concat(["'unknown_currency:'", column.name]) }}
            {%- endfor %}
            {%- for column in columns if column.accepted %}
            when {{ column.name }} is not null
                and lower({{ column.name }}) not in ('{{ column.accepted | join("', '") }}')
                then 'invalid_value:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.min is defined %}
            when {{ column.name }} < {{ column.min }} then 'out_of_range:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.max is defined %}
            when {{ column.name }} > {{ column.max }} then 'out_of_range:{{ column.name }}'
            {%- endfor %}
        end as rejection_reason
    from typed
),

final as (
    select
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        record_key,
        source_file,
        raw_row,
        rejection_reason
    from validated
)

select * from final

{% endmacro %}


{#
    The raw table with every documented column, null where no file has it: optional columns may
    be left out of an export (docs/sources.md); required ones are checked by the ingest gate.
#}
{% macro with_every_column(source_relation, column_names) %}
    {{ return(adapter.dispatch('with_every_column', 'customer_warehouse')(
        source_relation, column_names)) }}
{% endmacro %}

{% macro duckdb__with_every_column(source_relation, column_names) -%}
    select * from (
        select
            {%- for name in column_names %}
            cast(null as varchar) as {{ name }},
            {%- endfor %}
            cast(null as varchar) as filename
        where false
    ) as documented_columns
    union all by name
    select * from {{ source_relation }}
{%- endmacro %}

{% macro default__with_every_column(source_relation, column_names) -%}
    select * from {{ source_relation }}
{%- endmacro %}


{% macro record_key_expression(record_key) %}
    {%- if record_key is string -%}
        {{ raw_text(record_key) }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for column_name in record_key -%}
            {%- do parts.append("coalesce(" ~ raw_text(column_name) ~ ", '')") -%}
            {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
        {%- endfor -%}
        {{ dbt.concat(parts) }}
    {%- endif -%}
{% endmacro %}


{% macro raw_text(column_name) %}
    nullif(trim(cast({{ column_name }} as {{ dbt.type_string() }})), '')
{%- endmacro %}


{% macro cast_raw_value(column_name, kind) %}
    {%- set text = raw_text(column_name) -%}
    {%- if kind == 'timestamp' -%} {{ try_cast_timestamp(text) }}
    {%- elif kind == 'date' -%} {{ try_cast_value(text, 'date') }}
    {%- elif kind == 'amount' -%} {{ try_cast_value(text, 'decimal(18, 2)') }}
    {%- elif kind == 'integer' -%} {{ try_cast_value(text, 'integer') }}
    {%- elif kind in ('currency', 'country') -%} upper({{ text }})
    {%- else -%} {{ text }}
    {%- endif -%}
{% endmacro %}
