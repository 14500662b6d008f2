{{ config(meta={"dagster": {"ref": {"name": "int_customer_contactability"}}}) }}
{#-
    No audience may hold a customer who is erased or not contactable on the audience's channel,
    nor an identifier other than the consented one. Fails with one row per offending member.
-#}
{%- set audiences = [
    ('aud_email_welcome', 'email', 'email'),
    ('aud_email_winback', 'email', 'email'),
    ('aud_ads_vip', 'ads', 'hashed_email'),
] -%}

with

contactability as (
    select * from {{ ref('int_customer_contactability') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

members as (
    {%- for audience, channel, identifier_column in audiences %}
    select
        '{{ audience }}' as audience,
        '{{ channel }}' as channel,
        customer_id,
        {{ identifier_column }} as exported_identifier,
        {{ 'true' if identifier_column.startswith('hashed') else 'false' }} as is_hashed
    from {{ ref(audience) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        members.audience,
        members.customer_id,
        case
            when erased_customers.customer_id is not null then 'erased customer exported'
            when contactability.is_contactable is null or not contactability.is_contactable
                then 'customer not contactable on the channel'
            when members.is_hashed
                and members.exported_identifier <> {{ sha256_hex('contactability.contact_identifier') }}
                then 'hash of an identifier without consent'
            when not members.is_hashed
                and members.exported_identifier <> contactability.contact_identifier
                then 'identifier without consent exported'
        end as problem
    from members
    left join erased_customers
        on members.customer_id = erased_customers.customer_id
    left join contactability
        on members.customer_id = contactability.customer_id
        and members.channel = contactability.channel
        and contactability.purpose = 'marketing'
)

select * from final
where problem is not null
