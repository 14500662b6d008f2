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
        customers.first_order_at
    from customers
    inner join contactability
        on customers.customer_id = contactability.customer_id
    where customers.lifecycle_stage = 'new'
)

select * from final
