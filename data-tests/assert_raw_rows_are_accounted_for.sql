{#-
    Row accounting, on every run: each raw row is staged, quarantined, or removed by a
    documented dedupe (raw = staged + quarantined + exact duplicates + superseded versions).
    A table that does not balance means a staging step lost or multiplied rows without saying
    so. The test raises one error naming every such table and its counts, because dbt prints
    only "Got 1 result" for a plain failing test.
-#}

with

row_accounting as (
    select * from {{ ref('stg_row_accounting') }}
),

unbalanced_tables as (
    select
        source_table,
        {{ dbt.concat([
            "replace(source_table, '__', '.')",
            "': '",
            "cast(raw_row_count as " ~ dbt.type_string() ~ ")",
            "' raw rows, but '",
            "cast(staged_row_count as " ~ dbt.type_string() ~ ")",
            "' staged + '",
            "cast(quarantined_row_count as " ~ dbt.type_string() ~ ")",
            "' quarantined + '",
            "cast(exact_duplicate_row_count as " ~ dbt.type_string() ~ ")",
            "' exact duplicates + '",
            "cast(superseded_row_count as " ~ dbt.type_string() ~ ")",
            "' superseded versions ('",
            "cast(unaccounted_row_count as " ~ dbt.type_string() ~ ")",
            "' unaccounted for)'",
        ]) }} as table_message
    from row_accounting
    where
        raw_row_count
        <> staged_row_count
        + quarantined_row_count
        + exact_duplicate_row_count
        + superseded_row_count
),

final as (
    select
        count(*) as unbalanced_table_count,
        {{ dbt.concat([
            "'Row accounting failed: '",
            dbt.listagg('table_message', "'; '", 'order by source_table'),
            "'. A staging model lost or multiplied rows; compare it with its base model '",
            "'(rejection_reason is null) and stg_row_accounting.'",
        ]) }} as failure_message
    from unbalanced_tables
    having count(*) > 0
)

select *
from final
where {{ raise_error('failure_message') }} is null
