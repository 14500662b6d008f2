{#-
    Each customer's consent state per channel and purpose: the latest consent event on any of
    their identifiers wins (a revocation wins a tie), with its time, source and identifier type.
-#}
with

identifier_consents as (
    select * from {{ ref('int_identifier_consent_latest') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

ranked as (
    select
        customer_identifiers.customer_id,
        identifier_consents.channel,
        identifier_consents.purpose,
        identifier_consents.consent_status,
        identifier_consents.is_granted,
        identifier_consents.consent_updated_at,
        identifier_consents.consent_source,
        identifier_consents.identifier_type,
        row_number() over (
            partition by
                customer_identifiers.customer_id,
                identifier_consents.channel,
                identifier_consents.purpose
            order by
                identifier_consents.consent_updated_at desc,
                identifier_consents.is_granted asc,
                identifier_consents.identifier_type asc,
                identifier_consents.identifier_value asc
        ) as recency_rank
    from identifier_consents
    inner join customer_identifiers
        on identifier_consents.identifier_type = customer_identifiers.identifier_type
        and identifier_consents.identifier_value = customer_identifiers.identifier_value
),

final as (
    select
        customer_id,
        channel,
        purpose,
        consent_status,
        is_granted,
        consent_updated_at,
        consent_source,
        identifier_type as consent_identifier_type
    from ranked
    where recency_rank = 1
)

select * from final
