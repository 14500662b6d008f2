{{ config(meta={'channel': 'email', 'consent_purpose': 'marketing', 'destination': 'email_service_provider'}) }}

with

customers as (
    select * from {{ ref('customers') }}
),

contactability as (
    select * from {{ ref('int_customer_contactability') }}
    where channel = 'email' and purpose = 'marketing' and is_contactable
),

final as (
    select
        customers.customer_id,
        contactability.contact_identifier as email,
        customers.first_name,
        customers.lifecycle_stage,
        customers.last_order_at,
        customers.lifetime_revenue_usd
    from customers
    inner join contactability
        on customers.customer_id = contactability.customer_id
    where customers.lifecycle_stage in ('at_risk', 'churned')
)

select * from final
