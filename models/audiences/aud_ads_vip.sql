{#- Ad platforms match on SHA-256 of the normalized email; no clear-text identifier leaves. -#}
{{ config(meta={'channel': 'ads', 'consent_purpose': 'marketing', 'destination': 'ad_platform_customer_match'}) }}

with

customers as (
    select * from {{ ref('customers') }}
),

contactability as (
    select * from {{ ref('int_customer_contactability') }}
    where channel = 'ads' and purpose = 'marketing' and is_contactable
),

final as (
    select
        customers.customer_id,
        {{ sha256_hex('contactability.contact_identifier') }} as hashed_email,
        customers.rfm_segment
    from customers
    inner join contactability
        on customers.customer_id = contactability.customer_id
    where customers.rfm_segment in ('champions', 'loyal')
)

select * from final
