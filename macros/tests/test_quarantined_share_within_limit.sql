{#
    The build gate on raw data quality. A few bad rows are quarantined and the run goes on; when
    more than `max_share` (default: the max_rejected_share var) of a base model's rows carry a
    rejection reason, the raw file is broken (a bad export, a changed format) and the build must
    stop.

    A backfill (the as_of_date var set) reads landing files that also hold rows from after that
    date. Staging quarantines them (future_timestamp / future_date: they had not happened yet),
    but they do not count here, neither as rejected nor in the total: the gate judges the rows
    that existed on the as-of date.

    At error severity the test raises a database error whose text says what happened (table,
    counts, share, limit, most common reason, where to look), because dbt prints only "Got 1
    result" for a plain failing test. At warn severity it returns the same facts as one row.
#}
{% test quarantined_share_within_limit(model, max_share=none) %}
{%- set limit = max_share if max_share is not none else var('max_rejected_share') -%}
{%- set table_label = model.identifier | replace('base_', '', 1) | replace('__', '.') -%}
{%- set source_name = table_label.split('.')[0] -%}
{%- set where_to_look -%}
    . See the rows: select * from {{ model.schema }}.{{ model.identifier }} where rejection_reason
    is not null (stg_{{ source_name }}__quarantined_rows once the build passes); fix and re-land
    the export (docs/sources.md).
{%- endset -%}
{%- set where_to_look = where_to_look.split() | join(' ') -%}
{%- set is_blocking = (config.get('severity') or 'error') | lower == 'error' -%}

with

rows_by_reason as (
    select
        rejection_reason,
        count(*) as row_count
    from {{ model }}
    {%- if as_of_date_setting() %}
    where rejection_reason is null or substr(rejection_reason, 1, 7) <> 'future_'
    {%- endif %}
    group by rejection_reason
),

totals as (
    select
        sum(row_count) as row_count,
        sum(case when rejection_reason is not null then row_count else 0 end)
            as quarantined_count
    from rows_by_reason
),

most_common_reason as (
    select rejection_reason
    from rows_by_reason
    where rejection_reason is not null
    order by row_count desc, rejection_reason
    limit 1
),

over_limit as (
    select
        totals.row_count,
        totals.quarantined_count,
        round(100.0 * totals.quarantined_count / totals.row_count, 1) as quarantined_percent,
        most_common_reason.rejection_reason as most_common_reason
    from totals
    cross join most_common_reason
    where totals.quarantined_count > {{ limit }} * totals.row_count
),

final as (
    select
        row_count,
        quarantined_count,
        quarantined_percent,
        most_common_reason,
        {{ dbt.concat([
            "'Quarantine gate failed for raw table " ~ table_label ~ ": '",
            "cast(quarantined_count as " ~ dbt.type_string() ~ ")",
            "' of '",
            "cast(row_count as " ~ dbt.type_string() ~ ")",
            "' rows ('",
            "cast(quarantined_percent as " ~ dbt.type_string() ~ ")",
            "'%) were rejected, more than max_rejected_share = " ~ limit ~ ". '",
            "'Most common reason: '",
            "most_common_reason",
            "'" ~ where_to_look ~ "'",
        ]) }} as failure_message
    from over_limit
)

select *
from final
{%- if is_blocking %}
where {{ raise_error('failure_message') }} is null
{%- endif %}

{% endtest %}
