{#-
    Marketing rows come from int_customer_contactability (every customer x channel, with the
    suppression rules); other purposes (personalization, service) have a row where the customer
    has a consent event for them, contactable when the latest one is a grant and the customer is
    not erased.
-#}
with

contactability as (
    select * from {{ ref('int_customer_contactability') }}
),

latest_consents as (
    select * from {{ ref('int_customer_consent_latest') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

marketing as (
    select
        contactability.customer_id,
        contactability.channel,
        contactability.purpose,
        contactability.is_contactable,
        contactability.blocked_reason,
        latest_consents.consent_status,
        latest_consents.consent_updated_at,
        latest_consents.consent_source
    from contactability
    left join latest_consents
        on contactability.customer_id = latest_consents.customer_id
        and contactability.channel = latest_consents.channel
        and contactability.purpose = latest_consents.purpose
),

other_purposes as (
    select
        latest_consents.customer_id,
        latest_consents.channel,
        latest_consents.purpose,
        erased_customers.customer_id is null and latest_consents.is_granted as is_contactable,
        case
            when erased_customers.customer_id is not null then 'erased'
            when not latest_consents.is_granted then 'consent_revoked'
        end as blocked_reason,
        latest_consents.consent_status,
        latest_consents.consent_updated_at,
        latest_consents.consent_source
    from latest_consents
    left join erased_customers
        on latest_consents.customer_id = erased_customers.customer_id
    where latest_consents.purpose <> 'marketing'
),

final as (
    select
        {{ dbt.concat(["customer_id", "'|'", "channel", "'|'", "purpose"]) }}
            as customer_consent_id,
        customer_id,
        channel,
        purpose,
        is_contactable,
        blocked_reason,
        consent_status,
        consent_updated_at,
        consent_source
    from (
        select * from marketing
        union all
        select * from other_purposes
    ) as consents
)

select * from final
