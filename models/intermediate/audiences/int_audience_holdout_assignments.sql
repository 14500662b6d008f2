{#
    Holdout groups, assigned once per audience and customer and then kept (sticky): a customer's
    group never changes while the table lives, whatever else changes in the audience.

    Each run adds the eligible members seen for the first time. So that the control share of
    the audience stays at its holdout_share however small the audience (a hash threshold alone
    drifts by sampling noise: +-3 points at 100 members), the new members fill what the current
    eligible members lack: control places = round(holdout_share x eligible members) minus the
    current members already in control, given to the new members with the lowest hash buckets
    (a stable, random order). On the first run this makes the share exact (to one member).

    Append-only: rebuilt from scratch only by `dbt build --full-refresh`, which, like changing
    audience_holdout_salt, starts new control groups (docs/audiences.md).
#}
{#- full_refresh=false: the assignments are history, which a --full-refresh of the rest of the
    warehouse (docs/incremental-processing.md) must not erase. -#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

with

eligible as (
    select * from {{ ref('int_audience_candidates_checked') }}
    where is_eligible
),

{% if is_incremental() %}
recorded as (
    select * from {{ this }}
),
{% else %}
recorded as (
    select
        cast(null as {{ dbt.type_string() }}) as audience,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as holdout_group
    where 1 = 0
),
{% endif %}

current_members as (
    select
        eligible.audience,
        eligible.customer_id,
        eligible.holdout_share,
        eligible.holdout_bucket,
        eligible.as_of_date,
        recorded.holdout_group as recorded_group
    from eligible
    left join recorded
        on eligible.audience = recorded.audience
        and eligible.customer_id = recorded.customer_id
),

control_places as (
    select
        audience,
        cast(round(max(holdout_share) * count(*)) as bigint)
        - sum(case when recorded_group = 'control' then 1 else 0 end) as open_control_places
    from current_members
    group by 1
),

new_members as (
    select
        current_members.*,
        row_number() over (
            partition by current_members.audience
            order by current_members.holdout_bucket, current_members.customer_id
        ) as bucket_rank
    from current_members
    where recorded_group is null
),

final as (
    select
        new_members.audience,
        new_members.customer_id,
        case
            when new_members.bucket_rank <= control_places.open_control_places then 'control'
            else 'treatment'
        end as holdout_group,
        new_members.holdout_bucket,
        new_members.holdout_share,
        new_members.as_of_date as assigned_as_of_date
    from new_members
    inner join control_places
        on new_members.audience = control_places.audience
)

select * from final
