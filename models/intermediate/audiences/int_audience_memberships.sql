{#
    Every candidate of every audience, and what became of them in this run. The one place the
    audience rules are applied, in this order:
    1. contactability (int_customer_contactability, for the audience's channel and consent
       purpose): erased, do-not-contact, no or revoked consent, bounced, complained or
       unsubscribed -> excluded with that reason;
    2. message hierarchy: a customer in service recovery (a candidate of any service audience,
       or with an open or pending support ticket) gets no promotional message -> excluded,
       service_recovery;
    3. frequency cap: at most audience_max_messages_per_channel audiences per customer and
       channel; the lowest meta.priority number wins -> the rest excluded, frequency_cap;
    4. holdout: the rest take their group from int_audience_holdout_assignments: control (not
       exported, kept for lift) or treatment (exported), assigned once per audience and customer
       from a hash of (audience, customer_id, audience_holdout_salt) and then kept.
    A control member does not free a place under the cap: who is eligible for an audience never
    depends on its own holdout, so treatment and control are comparable.
#}
with

checked as (
    select * from {{ ref('int_audience_candidates_checked') }}
),

assignments as (
    select * from {{ ref('int_audience_holdout_assignments') }}
),

final as (
    select
        checked.audience,
        checked.customer_id,
        checked.channel,
        checked.consent_purpose,
        checked.message_type,
        checked.audience_priority,
        checked.holdout_share,
        checked.holdout_bucket,
        case
            when not checked.is_eligible then 'excluded'
            {#- every eligible member has a group (not_null test on membership_status) #}
            else assignments.holdout_group
        end as membership_status,
        case
            when checked.blocked_reason is not null then checked.blocked_reason
            when not checked.is_eligible then 'frequency_cap'
        end as exclusion_reason,
        case when checked.is_eligible then checked.contact_identifier end as contact_identifier,
        checked.as_of_date
    from checked
    left join assignments
        on checked.audience = assignments.audience
        and checked.customer_id = assignments.customer_id
)

select * from final
