{#- Every source record that says something about who a person is, with its profile attributes. -#}
with

shop_customers as (
    select * from {{ ref('stg_shop__customers') }}
),

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

crm_contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

loyalty_members as (
    select * from {{ ref('stg_loyalty__members') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
),

web_devices as (
    select
        anonymous_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from web_events
    group by 1
),

{#-
    A recipient is an address as the email platform wrote it, only lowercased and trimmed: two
    spellings of one mailbox (j.doe@gmail.com, jdoe+news@gmail.com) stay two records, linked by
    their shared normalized email like any other pair of records.
-#}
email_recipients as (
    select
        lower(trim(email)) as recipient_email,
        min(email_normalized) as email_normalized,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from email_events
    where email_normalized is not null
    group by 1
),

unioned as (
    select
        'shop__customers' as source_table, account_id as record_key, 1 as source_priority,
        email_normalized, phone_e164, account_id, first_name, last_name, date_of_birth,
        address_line1, city, postcode, country_code, acquisition_channel,
        created_at as first_seen_at, updated_at as observed_at
    from shop_customers

    union all

    select
        'crm__contacts', contact_id, 2,
        email_normalized, phone_e164, null, first_name, last_name, null,
        null, null, null, null, null,
        created_at, updated_at
    from crm_contacts

    union all

    select
        'loyalty__members', loyalty_id, 3,
        email_normalized, phone_e164, null, null, null, null,
        null, null, null, null, null,
        joined_at, updated_at
    from loyalty_members

    union all

    select
        'support__tickets', ticket_id, 4,
        email_normalized, phone_e164, null, null, null, null,
        null, null, null, null, null,
        created_at, created_at
    from support_tickets

    union all

    select
        'shop__orders', order_id, 5,
        email_normalized, phone_e164, account_id, null, null, null,
        null, null, null, null, null,
        ordered_at, updated_at
    from shop_orders

    union all

    select
        'surveys__nps_responses', response_id, 6,
        email_normalized, null, null, null, null, null,
        null, null, null, null, null,
        responded_at, responded_at
    from nps_responses

    union all

    select
        'web__devices', anonymous_id, 7,
        null, null, null, null, null, null,
        null, null, null, null, null,
        first_seen_at, last_seen_at
    from web_devices

    union all

    select
        'email__recipients', recipient_email, 8,
        email_normalized, null, null, null, null, null,
        null, null, null, null, null,
        first_seen_at, last_seen_at
    from email_recipients
),

final as (
    select
        {{ dbt.concat(["source_table", "':'", "record_key"]) }} as source_record_id,
        source_table,
        record_key,
        source_priority,
        email_normalized,
        phone_e164,
        account_id,
        first_name,
        last_name,
        date_of_birth,
        address_line1,
        city,
        postcode,
        country_code,
        acquisition_channel,
        first_seen_at,
        observed_at
    from unioned
)

select * from final
