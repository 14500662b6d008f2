{#
    Identifiers that must not link records, each with its reason:
    - junk_identifier: listed in the junk_identifiers seed (test@test.com, 555 numbers...);
    - shared_identifier: a phone seen with more distinct emails than the
      identity_max_people_per_identifier var, or with people of different first names
      (household landlines);
    - shared_device: a device that claims more than one person (a family tablet): more than one
      shop account logged in or ordered on it, or it was identified by an email (form, email
      click) that is not the email of its account. A device never merges two known customers: it
      links to none of them.
#}
with

identifiers as (
    select * from {{ ref('int_identifiers_normalized') }}
),

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

junk_identifiers as (
    select * from {{ ref('junk_identifiers') }}
),

junk as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        'junk_identifier' as exclusion_reason,
        count(distinct identifiers.source_record_id) as source_record_count
    from identifiers
    inner join junk_identifiers
        on identifiers.identifier_type = junk_identifiers.identifier_type
        and identifiers.identifier_value = junk_identifiers.identifier_value
    group by 1, 2, 3
),

phone_usage as (
    select
        identifiers.identifier_value,
        count(distinct identifiers.source_record_id) as source_record_count,
        count(distinct source_records.email_normalized) as email_count,
        count(distinct lower(substr(source_records.first_name, 1, 1))) as first_initial_count
    from identifiers
    inner join source_records
        on identifiers.source_record_id = source_records.source_record_id
    where identifiers.identifier_type = 'phone'
    group by 1
),

shared_phones as (
    select
        'phone' as identifier_type,
        identifier_value,
        'shared_identifier' as exclusion_reason,
        source_record_count
    from phone_usage
    where email_count > {{ var('identity_max_people_per_identifier') }}
        or first_initial_count > 1
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

shop_accounts as (
    select account_id, email_normalized
    from source_records
    where source_table = 'shop__customers'
),

device_identifiers as (
    select * from identifiers
    where source_record_id like 'web\_\_devices:%' escape '\'
),

{#- Each account that logged in on a device or placed an order completed on it. -#}
device_accounts as (
    select source_record_id, identifier_value as account_id
    from device_identifiers
    where identifier_type = 'account_id'

    union

    select
        device_identifiers.source_record_id,
        orders.account_id
    from device_identifiers
    inner join orders
        on device_identifiers.identifier_value = orders.order_id
    where device_identifiers.identifier_type = 'order_id'
        and orders.account_id is not null
),

{#- Each email a device was identified by (form, email click) that is not one of its accounts'. -#}
device_other_emails as (
    select
        device_identifiers.source_record_id,
        device_identifiers.identifier_value as email_normalized
    from device_identifiers
    left join junk
        on junk.identifier_type = 'email'
        and device_identifiers.identifier_value = junk.identifier_value
    where device_identifiers.identifier_type = 'email'
        and junk.identifier_value is null
        and not exists (
            select 1
            from device_accounts
            inner join shop_accounts
                on device_accounts.account_id = shop_accounts.account_id
            where device_accounts.source_record_id = device_identifiers.source_record_id
                and shop_accounts.email_normalized = device_identifiers.identifier_value
        )
),

{#- Who a device says it belongs to: each of its accounts and other emails is one claim. -#}
device_claims as (
    select source_record_id, {{ dbt.concat(["'account:'", "account_id"]) }} as claimed_person
    from device_accounts

    union all

    select source_record_id, {{ dbt.concat(["'email:'", "email_normalized"]) }}
    from device_other_emails
),

device_claim_counts as (
    select
        source_record_id,
        count(distinct claimed_person) as claim_count
    from device_claims
    group by 1
),

shared_devices as (
    select
        'device_id' as identifier_type,
        substr(source_record_id, {{ 'web__devices:' | length + 1 }}) as identifier_value,
        'shared_device' as exclusion_reason,
        claim_count as source_record_count
    from device_claim_counts
    where claim_count > 1
),

final as (
    select * from junk
    union all
    select * from shared_phones
    union all
    select * from shared_devices
)

select * from final
