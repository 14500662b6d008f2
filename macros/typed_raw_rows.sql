{#
    The body of every base model: reads one raw source table, casts each column by its kind,
    and gives each row the first reason it cannot be staged (null when it can).

    columns: list of {name, kind, required?, required_with?, accepted?, min?, max?}
      kind: text | email | country | currency | timestamp | date | amount | integer
      required: the value must be present (docs/sources.md "required")
      required_with: the value must be present when that other column is (currency of an amount)
      accepted: the allowed values, compared lowercased (statuses and types the logic relies on)
      min, max: inclusive bounds of a number
    version_column: the column whose latest value wins in staging (updated_at), if any
    duplicate_key: the SQL expression(s) over the typed columns (a string or a list) that the
      staging model deduplicates on, when they are not the record_key column(s) as typed

    Reasons are `<rule>:<column>` (`unknown_currency:<code>` for currencies), checked in this
    order: missing_required, too_long, unparseable_<kind>, invalid_email, future_<kind>,
    negative_amount, unknown_currency, invalid_value, out_of_range, and last
    conflicting_duplicate:<key> (docs/quality-gates.md). The first that applies is kept.

    Incremental (docs/incremental-processing.md): a run types only the landing files not typed
    before, and re-types those holding rows quarantined as future_*, replacing them whole
    (macros/incremental.sql). Every rule above looks at one row, or at rows of one key and one
    file, so a file typed alone gets the reasons it would get among all files. Each row keeps
    `typed_at` (the run that typed it; staging re-stages the keys touched since its last build)
    and `future_cutoff_at` (the future-timestamp cutoff it was judged against).
#}
{% macro typed_raw_rows(
    source_relation, columns, record_key, version_column=none, duplicate_key=none
) %}
{{ config(
    materialized='incremental',
    unique_key='source_file',
    incremental_strategy=file_replace_strategy(),
    partition_by=(['source_file'] if target.type == 'spark' else none),
    on_schema_change='fail',
) }}
{%- set key_columns = [record_key] if record_key is string else record_key -%}
{#- The expressions whose equal values make one version of one key in one file. -#}
{%- set duplicate_key_expressions = (
    ([duplicate_key] if duplicate_key is string else duplicate_key) if duplicate_key
    else key_columns) -%}
{%- set same_version = duplicate_key_expressions
    + ([version_column] if version_column else []) + ['source_file'] -%}
{#- Each field as written, untrimmed: what the fingerprint and a rejected row's raw_row show. -#}
{%- set as_written = [] -%}
{%- for column in columns -%}
    {%- do as_written.append('cast(raw_rows.' ~ column.name ~ ' as ' ~ dbt.type_string() ~ ')') -%}
{%- endfor -%}

with

every_raw_row as (
    {{ with_every_column(source_relation, columns | map(attribute='name') | list) }}
),

raw_rows as (
    select * from every_raw_row
    where {{ files_not_yet_typed() }}
),

currency_codes as (
    select currency_code from {{ ref('currency_rates_usd') }}
),

typed as (
    select
        {%- for column in columns %}
        {{ cast_raw_value(column.name, column.kind) }} as {{ column.name }},
        {{ raw_text(column.name) }} as {{ column.name }}__raw,
        {%- if column.kind == 'email' %}
        lower({{ raw_text(column.name) }}) as {{ column.name }}__lowered,
        {%- endif %}
        {%- endfor %}
        {%- for column in columns %}
        {{ as_written[loop.index0] }} as {{ column.name }}__as_written,
        {%- endfor %}
        {{ values_fingerprint(as_written) }} as raw_fingerprint,
        {{ record_key_expression(record_key) }} as record_key,
        raw_rows.filename as source_file
    from raw_rows
),

{#- Materialized: the conflict check below groups it, then joins it back. -#}
validated as {{ materialized_cte() }} (
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
            {%- for column in columns %}
            when {{ dbt.length(column.name ~ '__raw') }} > {{ var('max_value_length') }}
                then 'too_long:{{ column.name }}'
            {%- endfor %}
            {%- set parsed_kinds = ('timestamp', 'date', 'amount', 'integer') %}
            {%- for column in columns if column.kind in parsed_kinds %}
            when {{ column.name }}__raw is not null and {{ column.name }} is null
                then 'unparseable_{{ column.kind }}:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.kind == 'email' %}
            when {{ column.name }} is not null
                and {{ is_unnormalizable_email(column.name ~ '__lowered') }}
                then 'invalid_email:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.kind == 'timestamp' %}
            when {{ column.name }} > {{ future_cutoff() }} then 'future_timestamp:{{ column.name }}'
            {%- endfor %}
            {%- for column in columns if column.kind == 'date' %}
            when {{ column.name }} > cast({{ future_cutoff() }} as date)
                then 'future_date:{{ column.name }}'
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

-- Valid rows of one key that staging could only order by their raw text (same version, same
-- file) but that disagree: nothing says which one is true, so none is staged. The raw rows are
-- compared by fingerprint (a hash of their fields as written), not by their text. A group by
-- and a join rather than a window over every row: the window sorted each row with all its
-- columns, three quarters of the web events' typing time at a million people.
conflicting_versions as (
    select
        {%- for expression in same_version %}
        {{ expression }} as same_version_{{ loop.index }},
        {%- endfor %}
        1 as is_conflicting
    from validated
    where rejection_reason is null
    group by {{ same_version | join(', ') }}
    having min(raw_fingerprint) <> max(raw_fingerprint)
),

checked_duplicates as (
    select
        validated.*,
        case
            when validated.rejection_reason is null and conflicting_versions.is_conflicting = 1
                then 'conflicting_duplicate:{{ key_columns | join("|") }}'
            else validated.rejection_reason
        end as checked_rejection_reason
    from validated
    left join conflicting_versions
        on
        {%- for expression in same_version %}
        {{ 'and ' if not loop.first }}{{ null_safe_equals(expression, 'conflicting_versions.same_version_' ~ loop.index) }}
        {%- endfor %}
),

final as (
    select
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        record_key,
        source_file,
        raw_fingerprint,
        -- The raw row as JSON text only where a reader needs it (quarantine): building and
        -- storing it for every valid row cost a quarter of the web events' typing time.
        case
            when checked_rejection_reason is not null then {{ row_to_json(
                'checked_duplicates', columns | map(attribute='name') | list, '__as_written'
            ) }}
        end as raw_row,
        checked_rejection_reason as rejection_reason,
        {{ run_started_at_literal() }} as typed_at,
        {{ future_cutoff() }} as future_cutoff_at
    from checked_duplicates
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


{#-
    Timestamps and dates must start like ISO 8601 (engines also read words such as 'infinity'
    or 'epoch'); an integer must be whole (engines round '2.5').
-#}
{% macro cast_raw_value(column_name, kind) %}
    {%- set text = raw_text(column_name) -%}
    {%- set iso_date_shaped = text ~ " like '____-__-__%'" -%}
    {%- if kind == 'timestamp' -%}
        case when {{ iso_date_shaped }} then {{ try_cast_timestamp(text) }} end
    {%- elif kind == 'date' -%}
        case when {{ iso_date_shaped }} then {{ try_cast_value(text, 'date') }} end
    {%- elif kind == 'amount' -%} {{ try_cast_value(text, 'decimal(18, 2)') }}
    {%- elif kind == 'integer' -%}
        case
            when {{ try_cast_value(text, 'decimal(38, 6)') }} = {{ try_cast_value(text, 'integer') }}
                then {{ try_cast_value(text, 'integer') }}
        end
    {%- elif kind in ('currency', 'country') -%} upper({{ text }})
    {%- else -%} {{ text }}
    {%- endif -%}
{% endmacro %}


{#-
    Later than this, a timestamp has not happened yet: the end of the as-of date's day
    (as_of_date_setting), or the run's clock when none is set, plus
    future_timestamp_tolerance_hours (clock skew, exports written in a time zone ahead of UTC).
-#}
{% macro future_cutoff() %}
    {%- set tolerance = var('future_timestamp_tolerance_hours') -%}
    {%- set as_of_date = as_of_date_setting() -%}
    {%- if as_of_date -%}
        {{ dbt.dateadd('hour', 24 + tolerance, "cast('" ~ as_of_date ~ "' as timestamp)") }}
    {%- else -%}
        {{ dbt.dateadd('hour', tolerance, 'cast(' ~ dbt.current_timestamp() ~ ' as timestamp)') }}
    {%- endif -%}
{% endmacro %}
