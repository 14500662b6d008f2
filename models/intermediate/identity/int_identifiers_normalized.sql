{#- One row per identifier a source record carries; identifiers arrive normalized from staging. -#}
with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
),

device_logins as (
    select distinct
        {{ dbt.concat(["'web__devices:'", "anonymous_id"]) }} as source_record_id,
        account_id
    from web_events
    where account_id is not null
),

{#- A device that completed an order names it in the event: the device placed that order. -#}
device_orders as (
    select distinct
        {{ dbt.concat(["'web__devices:'", "anonymous_id"]) }} as source_record_id,
        order_id
    from web_events
    where event_name = 'order_completed'
        and order_id is not null
),

{#-
    A device identified by an email: typed into a form (newsletter_signup), or carried by the
    tracked link of an email click that landed on it (the click's recipient).
-#}
device_emails as (
    select
        {{ dbt.concat(["'web__devices:'", "anonymous_id"]) }} as source_record_id,
        email_normalized
    from web_events
    where email_normalized is not null

    union

    select
        {{ dbt.concat(["'web__devices:'", "web_events.anonymous_id"]) }},
        email_events.email_normalized
    from web_events
    inner join email_events
        on web_events.email_event_id = email_events.email_event_id
    where email_events.event_type = 'click'
        and email_events.email_normalized is not null
),

identifiers as (
    select source_record_id, 'email' as identifier_type, email_normalized as identifier_value
    from source_records
    where email_normalized is not null

    union all

    select source_record_id, 'phone', phone_e164
    from source_records
    where phone_e164 is not null

    union all

    select source_record_id, 'account_id', account_id
    from source_records
    where account_id is not null

    union all

    select source_record_id, 'account_id', account_id
    from device_logins

    union all

    select source_record_id, 'order_id', order_id
    from device_orders

    union all

    select source_record_id, 'email', email_normalized
    from device_emails

    union all

    select source_record_id, 'order_id', record_key
    from source_records
    where source_table = 'shop__orders'

    union all

    select source_record_id, 'device_id', record_key
    from source_records
    where source_table = 'web__devices'

    union all

    select source_record_id, 'loyalty_id', record_key
    from source_records
    where source_table = 'loyalty__members'
),

{#-
    No distinct needed (one was 40% of this model's time at a million people): a source record
    is one row of source_records, so its own identifiers differ by type, and a device's
    identifiers come only from the device_* steps, each distinct already (devices have no
    email, phone or account in source_records). The unique_combination test holds it to that.
-#}
final as (
    select
        source_record_id,
        identifier_type,
        identifier_value
    from identifiers
)

select * from final
