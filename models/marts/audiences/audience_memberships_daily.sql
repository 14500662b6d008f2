{#-
    The record of who was in which audience on each as-of date, and why they were or were not
    sent: treatment (exported), control (holdout, kept for lift measurement) or excluded (with
    the reason). Incremental: each run replaces its own as-of date and keeps earlier ones, so
    lift can be measured later by joining outcomes (orders after as_of_date) to treatment and
    control. No contact data: the consented identifiers stay in the audiences.
    full_refresh=false: the history must outlive a --full-refresh of the rest of the warehouse
    (docs/incremental-processing.md).
-#}
{{ config(
    materialized='incremental',
    unique_key=['as_of_date', 'audience', 'customer_id'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    full_refresh=false,
) }}

with

memberships as (
    select * from {{ ref('int_audience_memberships') }}
),

final as (
    select
        {{ dbt.concat([
            "cast(as_of_date as " ~ dbt.type_string() ~ ")", "'|'", "audience", "'|'", "customer_id"
        ]) }} as audience_membership_id,
        as_of_date,
        audience,
        customer_id,
        channel,
        consent_purpose,
        message_type,
        audience_priority,
        membership_status,
        exclusion_reason,
        holdout_share,
        holdout_bucket,
        {#- No run timestamp: the same input gives the same rows (publish.run_log has the runs). #}
        '{{ var("audience_holdout_salt") }}' as holdout_salt
    from memberships
)

select * from final
