{#
    Customers nobody may contact on any channel, for any purpose, whatever their consents say:
    - erased: any identifier they are known by is named in an erasure request (kept forever, so
      records that arrive later for that identifier resolve to an erased customer again);
    - do_not_contact: any identifier they are known by is listed in the audience_do_not_contact
      var. No source system of the input contract carries a do-not-contact flag (the CRM has
      lead statuses only), so legal holds, deceased customers or "never contact me" requests
      taken by phone are listed there until a source provides them.
    Address-level suppressions (hard bounce, complaint, unsubscribe) are in int_email_suppressions.
#}
with

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

{%- set do_not_contact = var('audience_do_not_contact') %}

do_not_contact_list as (
    {%- for entry in do_not_contact %}
    select
        '{{ entry.identifier_type }}' as identifier_type,
        '{{ entry.identifier_value }}' as identifier_value
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_value
    where 1 = 0
    {%- endfor %}
),

do_not_contact_customers as (
    select distinct customer_identifiers.customer_id
    from customer_identifiers
    inner join do_not_contact_list
        on customer_identifiers.identifier_type = do_not_contact_list.identifier_type
        and customer_identifiers.identifier_value = do_not_contact_list.identifier_value
),

suppressions as (
    select
        customer_id,
        'erased' as suppression_reason
    from erased_customers
    union all
    select
        customer_id,
        'do_not_contact' as suppression_reason
    from do_not_contact_customers
),

final as (
    select
        customer_id,
        {#- erased wins: it is the reason the erasure audit needs. -#}
        case
            when max(case when suppression_reason = 'erased' then 1 else 0 end) = 1 then 'erased'
            else 'do_not_contact'
        end as suppression_reason
    from suppressions
    group by 1
)

select * from final
