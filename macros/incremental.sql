{#-
    Incremental processing of the raw tables (docs/incremental-processing.md).

    Landing files are immutable and a daily drop adds files, so the unit of new data is a file:
    - base models (typed_raw_rows) type only the files they have not typed yet, plus the files
      holding rows quarantined as future_* (their time may have come), and stamp each row with
      `typed_at`, the start of the dbt run that typed it;
    - staging models re-stage only the keys that rows typed since their last build touch, taking
      every version of those keys from the base model, so dedupe and supersede see the whole key.

    The strategies below replace whole files (base) and whole keys (staging): delete+insert on
    DuckDB, insert_overwrite of a source_file partition and merge on Spark.
-#}

{#- The incremental strategy of a base model: its rows are replaced one landing file at a time. -#}
{% macro file_replace_strategy() %}
    {{ return(adapter.dispatch('file_replace_strategy', 'customer_warehouse')()) }}
{% endmacro %}

{% macro default__file_replace_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__file_replace_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}


{#- The incremental strategy of a staging model: its rows are replaced one key at a time. -#}
{% macro key_replace_strategy() %}
    {{ return(adapter.dispatch('key_replace_strategy', 'customer_warehouse')()) }}
{% endmacro %}

{% macro default__key_replace_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__key_replace_strategy() %}
    {{ return('merge') }}
{% endmacro %}


{#- The start of this dbt run, as a timestamp literal: the `typed_at` of the rows it types. -#}
{% macro run_started_at_literal() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#-
    A filter on the raw rows of an incremental base model (true when nothing is filtered): skip
    the files {{ this }} has typed, except those holding rows quarantined as future_*. The file
    names are written into the SQL as constants so that DuckDB skips those files unread.

    Stops the build when the future cutoff moved back since the last run (an as_of_date before
    the previous run's): rows staged then would be quarantined now, and only a full rebuild can
    take them out again.
-#}
{% macro files_not_yet_typed() %}
    {#- unit tests (resource_type unit_test) feed the model fixed rows: nothing to skip -#}
    {%- if not (execute and model.resource_type == 'model' and is_incremental()) -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set column_names = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'typed_at' not in column_names -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ' was built before incremental processing: rebuild it once with '
            ~ '--full-refresh (cw run --full-refresh, or dbt build --full-refresh).'
        ) }}
    {%- endif -%}
    {%- set cutoff_moved_back = run_query(
        'select count(*) from ' ~ this ~ ' where future_cutoff_at > ' ~ future_cutoff()
    ).columns[0].values()[0] -%}
    {%- if cutoff_moved_back > 0 -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ' was typed with a later future-timestamp cutoff than this run\'s '
            ~ '(as_of_date earlier than the previous run\'s). Rebuild with --full-refresh '
            ~ '(cw run --full-refresh, or dbt build --full-refresh).'
        ) }}
    {%- endif -%}
    {%- set typed_files = run_query(
        'select distinct source_file from ' ~ this ~ ' except select source_file from ' ~ this
        ~ " where rejection_reason like 'future%' order by 1"
    ).columns[0].values() -%}
    {%- if typed_files | length == 0 -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in typed_files -%}
        {%- do quoted.append("'" ~ (file | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return('filename not in (' ~ quoted | join(', ') ~ ')') }}
{% endmacro %}


{#-
    `and <key> in (...)`, on an incremental run, limits a staging model to the keys that rows
    typed since its last build touch (every version of them, valid or not, from the base
    model); nothing on a full build.
-#}
{% macro touched_keys_only(base_model, key) %}
    {%- if model.resource_type == 'model' and is_incremental() %}
    and {{ key }} in (
        select {{ key }} from {{ ref(base_model) }}
        where typed_at > (
            select coalesce(max(typed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }}
        )
    )
    {%- endif %}
{% endmacro %}
