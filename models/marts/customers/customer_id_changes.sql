{#
    History of customer ids that stopped identifying a record: merges (two known customers turned
    out to be one; the retired id now points to the survivor) and splits (records left a customer
    and got a new id). Kept across runs like the identity map: the model appends what this run
    changed to its own previous rows. Reverse-ETL destinations replay it to re-key their copies.
#}
{%- set previous_history = adapter.get_relation(this.database, this.schema, this.identifier) %}

with

identity_map as (
    select * from {{ ref('int_identity_map') }}
),

current_ids as (
    select distinct customer_id from identity_map
),

moved_records as (
    select
        previous_customer_id,
        customer_id,
        count(*) as moved_record_count
    from identity_map
    where previous_customer_id is not null
        and previous_customer_id <> customer_id
    group by 1, 2
),

new_changes as (
    select
        {{ dbt.concat(["moved_records.previous_customer_id", "'>'", "moved_records.customer_id"]) }}
            as customer_id_change_id,
        moved_records.previous_customer_id as from_customer_id,
        moved_records.customer_id as to_customer_id,
        case
            when current_ids.customer_id is null then 'merge'
            else 'split'
        end as change_type,
        moved_records.moved_record_count,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
            as changed_at
    from moved_records
    left join current_ids
        on moved_records.previous_customer_id = current_ids.customer_id
),

{%- if previous_history is not none %}
previous_changes as (
    select * from {{ this }}
),

final as (
    select * from previous_changes
    union all
    select new_changes.*
    from new_changes
    left join previous_changes
        on new_changes.customer_id_change_id = previous_changes.customer_id_change_id
    where previous_changes.customer_id_change_id is null
)
{%- else %}
final as (
    select * from new_changes
)
{%- endif %}

select * from final
