{#
    Every candidate of every audience with the rules that may exclude them (steps 1-3 of
    int_audience_memberships: contactability, service-recovery hierarchy, frequency cap) and its
    holdout hash bucket. int_audience_holdout_assignments and int_audience_memberships read it.
#}
{{ check_audience_list() }}
{%- set audiences = audience_names() %}

with

contactability as (
    select * from {{ ref('int_customer_contactability_by_purpose') }}
),

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
    where ticket_status in ('open', 'pending')
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

ticket_records as (
    select * from {{ ref('int_source_records_resolved') }}
    where source_table = 'support__tickets'
),

candidates as (
    {%- for audience in audiences %}
    {%- set meta = audience_meta(audience) %}
    select
        '{{ audience }}' as audience,
        customer_id,
        '{{ meta.channel }}' as channel,
        '{{ meta.consent_purpose }}' as consent_purpose,
        '{{ meta.message_type }}' as message_type,
        {{ meta.priority }} as audience_priority,
        cast({{ meta.holdout_share }} as double) as holdout_share
    from {{ ref('int_' ~ audience ~ '_candidates') }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{#- union (not union all): one row per customer in service recovery. -#}
service_recovery as (
    select customer_id from candidates
    where message_type = 'service'
    union
    select ticket_records.customer_id
    from support_tickets
    inner join ticket_records
        on support_tickets.ticket_id = ticket_records.record_key
),

checked as (
    select
        candidates.*,
        contactability.contact_identifier,
        case
            when not coalesce(contactability.is_contactable, false)
                then coalesce(contactability.blocked_reason, 'no_consent')
            when candidates.message_type = 'promotional'
                and service_recovery.customer_id is not null
                then 'service_recovery'
        end as blocked_reason
    from candidates
    left join contactability
        on candidates.customer_id = contactability.customer_id
        and candidates.channel = contactability.channel
        and candidates.consent_purpose = contactability.purpose
    left join service_recovery
        on candidates.customer_id = service_recovery.customer_id
),

capped as (
    select
        *,
        case
            when blocked_reason is null then row_number() over (
                partition by customer_id, channel, blocked_reason is null
                order by audience_priority, audience
            )
        end as channel_message_rank
    from checked
),

assigned as (
    select
        *,
        {{ hash_bucket(dbt.concat([
            "audience", "'|'", "customer_id", "'|'", "'" ~ var('audience_holdout_salt') ~ "'"
        ])) }} as holdout_bucket
    from capped
),

final as (
    select
        assigned.*,
        assigned.blocked_reason is null
            and assigned.channel_message_rank <= {{ var('audience_max_messages_per_channel') }}
            as is_eligible,
        as_of.as_of_date
    from assigned
    cross join as_of
)

select * from final
