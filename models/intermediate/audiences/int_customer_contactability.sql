{#-
    Marketing contactability, one row per customer and channel, for the customer 360
    (customers.is_email_contactable) and the customer_consents mart. Audiences use the full
    int_customer_contactability_by_purpose through int_audience_memberships.
-#}
with

contactability as (
    select * from {{ ref('int_customer_contactability_by_purpose') }}
    where purpose = 'marketing'
),

final as (
    select
        customer_id,
        channel,
        purpose,
        contact_identifier,
        is_contactable,
        blocked_reason
    from contactability
)

select * from final
