{#
    Whether, and at which identifier, each customer may be contacted on each channel for each
    consent purpose (var audience_consent_purposes). The one place audiences ask (through
    int_audience_memberships); every rule that blocks contact is here:
    - suppressed customers (erased, do-not-contact: int_customer_suppressions) never are;
    - the identifier must have a granted consent for the channel and purpose as its latest event;
    - if the customer's latest consent event for the channel and purpose, on any of their
      identifiers, is a revocation, the customer is not contactable there at all;
    - an email address with a hard bounce or spam complaint, or an ESP unsubscribe after its
      grant, is not used on any channel that contacts through it (email, and ads customer match),
      whatever the purpose.
    Channels use identifiers: email and ads -> email, sms -> phone, push -> device id.
#}
with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

identifier_consents as (
    select * from {{ ref('int_identifier_consent_latest') }}
    where purpose in ('{{ var("audience_consent_purposes") | join("', '") }}')
),

email_suppressions as (
    select * from {{ ref('int_email_suppressions') }}
),

customer_suppressions as (
    select * from {{ ref('int_customer_suppressions') }}
),

customers as (
    select distinct customer_id from {{ ref('int_source_records_resolved') }}
),

channels as (
    select 'email' as channel, 'email' as identifier_type
    union all select 'ads', 'email'
    union all select 'sms', 'phone'
    union all select 'push', 'device_id'
),

purposes as (
    {%- for purpose in var('audience_consent_purposes') %}
    select '{{ purpose }}' as purpose
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

identifier_states as (
    select
        customer_identifiers.customer_id,
        channels.channel,
        identifier_consents.purpose,
        customer_identifiers.identifier_value,
        identifier_consents.is_granted,
        identifier_consents.consent_updated_at,
        case
            when channels.identifier_type <> 'email' then false
            when email_suppressions.hard_bounced_at is not null then true
            when email_suppressions.complained_at is not null then true
            when email_suppressions.unsubscribed_at >= identifier_consents.consent_updated_at
                then true
            else false
        end as is_suppressed,
        case
            when channels.identifier_type <> 'email' then null
            when email_suppressions.hard_bounced_at is not null then 'hard_bounced'
            when email_suppressions.complained_at is not null then 'spam_complaint'
            when email_suppressions.unsubscribed_at >= identifier_consents.consent_updated_at
                then 'unsubscribed'
        end as suppression_reason
    from customer_identifiers
    inner join channels
        on customer_identifiers.identifier_type = channels.identifier_type
    inner join identifier_consents
        on identifier_consents.identifier_type = channels.identifier_type
        and identifier_consents.identifier_value = customer_identifiers.identifier_value
        and identifier_consents.channel = channels.channel
    left join email_suppressions
        on email_suppressions.identifier_value = customer_identifiers.identifier_value
        and customer_identifiers.identifier_type = 'email'
),

{#-
    Per customer, channel and purpose, in one aggregate rather than three joins to the grid of
    every customer, channel and purpose below (15 million rows at a million people): whether
    the latest consent event is a grant, the contact identifier (of the granted, unsuppressed
    ones the latest granted, then the smallest), and what blocks the granted ones.
-#}
ranked_identifier_states as (
    select
        customer_id,
        channel,
        purpose,
        identifier_value,
        is_granted,
        is_suppressed,
        suppression_reason,
        row_number() over (
            partition by customer_id, channel, purpose
            order by consent_updated_at desc, is_granted
        ) as recency_rank,
        row_number() over (
            partition by customer_id, channel, purpose
            order by
                case when is_granted and not is_suppressed then 0 else 1 end,
                consent_updated_at desc,
                identifier_value
        ) as preference_rank
    from identifier_states
),

customer_consents as (
    select
        customer_id,
        channel,
        purpose,
        max(case when recency_rank = 1 and is_granted then 1 else 0 end) = 1
            as is_latest_event_granted,
        max(
            case
                when preference_rank = 1 and is_granted and not is_suppressed
                    then identifier_value
            end
        ) as contact_identifier,
        min(case when is_granted and is_suppressed then suppression_reason end)
            as blocking_suppression_reason
    from ranked_identifier_states
    group by 1, 2, 3
),

customer_channels as (
    select
        customers.customer_id,
        channels.channel,
        purposes.purpose
    from customers
    cross join channels
    cross join purposes
),

final as (
    select
        customer_channels.customer_id,
        customer_channels.channel,
        customer_channels.purpose,
        case
            when customer_suppressions.customer_id is not null then null
            when customer_consents.is_latest_event_granted
                then customer_consents.contact_identifier
        end as contact_identifier,
        coalesce(
            customer_suppressions.customer_id is null
            and customer_consents.is_latest_event_granted
            and customer_consents.contact_identifier is not null,
            false
        ) as is_contactable,
        case
            when customer_suppressions.customer_id is not null
                then customer_suppressions.suppression_reason
            when customer_consents.customer_id is null then 'no_consent'
            when not customer_consents.is_latest_event_granted then 'consent_revoked'
            when customer_consents.contact_identifier is null
                then coalesce(customer_consents.blocking_suppression_reason, 'no_consent')
        end as blocked_reason
    from customer_channels
    left join customer_suppressions
        on customer_channels.customer_id = customer_suppressions.customer_id
    left join customer_consents
        on customer_channels.customer_id = customer_consents.customer_id
        and customer_channels.channel = customer_consents.channel
        and customer_channels.purpose = customer_consents.purpose
)

select * from final
