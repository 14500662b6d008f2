{#
    The identity map: which customer_id each source record belongs to, kept from run to run so a
    person keeps their id when new data arrives (docs/identity-resolution.md, "Stable ids").

    The model reads its own previous state ({{ this }}) before replacing it:
    - a component whose records carried one previous id keeps it;
    - a component whose records carried several previous ids (a merge) keeps the oldest
      (earliest first assigned, then smallest), and the others retire into it;
    - a previous id whose records are now in several components (a split) stays with the
      component holding most of them; the others get new ids derived from it;
    - a component of only new records gets 'cus_' + 16 hex of the hash of its smallest record id.
    Every record keeps `previous_customer_id`, which customer_id_changes turns into history.
#}
{%- set previous_map = adapter.get_relation(this.database, this.schema, this.identifier) %}

with

components as (
    select * from {{ ref('int_identity_components') }}
),

previous_map as (
    {%- if previous_map is not none %}
    select
        source_record_id,
        customer_id,
        customer_first_assigned_at
    from {{ this }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_timestamp() }}) as customer_first_assigned_at
    where 1 = 0
    {%- endif %}
),

records as (
    select
        components.source_record_id,
        components.component_id,
        previous_map.customer_id as previous_customer_id,
        previous_map.customer_first_assigned_at as previous_first_assigned_at
    from components
    left join previous_map
        on components.source_record_id = previous_map.source_record_id
),

claims as (
    select
        component_id,
        previous_customer_id as customer_id,
        min(previous_first_assigned_at) as customer_first_assigned_at,
        count(*) as record_count
    from records
    where previous_customer_id is not null
    group by 1, 2
),

{#- A previous id belongs to the component holding most of its records. -#}
owned_claims as (
    select
        *,
        row_number() over (
            partition by customer_id order by record_count desc, component_id
        ) as ownership_rank
    from claims
),

survivors as (
    select
        component_id,
        customer_id,
        customer_first_assigned_at,
        row_number() over (
            partition by component_id order by customer_first_assigned_at, customer_id
        ) as survivor_rank
    from owned_claims
    where ownership_rank = 1
),

component_ids as (
    select
        records.component_id,
        coalesce(
            max(survivors.customer_id),
            {{ dbt.concat(["'cus_'", dbt.right(dbt.hash(dbt.concat([
                "records.component_id",
                "coalesce('|split-from|' || min(records.previous_customer_id), '')",
            ])), 16)]) }}
        ) as customer_id,
        coalesce(
            max(survivors.customer_first_assigned_at),
            cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
        ) as customer_first_assigned_at
    from records
    left join survivors
        on records.component_id = survivors.component_id
        and survivors.survivor_rank = 1
    group by 1
),

final as (
    select
        records.source_record_id,
        component_ids.customer_id,
        records.component_id,
        records.previous_customer_id,
        component_ids.customer_first_assigned_at
    from records
    inner join component_ids
        on records.component_id = component_ids.component_id
)

select * from final
