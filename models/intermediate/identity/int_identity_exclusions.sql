{#
    Identifiers that must not link records, each with its reason:
    - junk_identifier: listed in the junk_identifiers seed (test@test.com, 555 numbers...);
    - shared_identifier: a phone seen with more distinct emails than the
      identity_max_people_per_identifier var, or with people of different first names
      (household landlines);
    - shared_device: a device on which more than one shop account logged in (a family tablet).
      A device never merges two known accounts: it links to none of them.
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

{#-
    Who a device says it belongs to: each account that logged in on it or placed an order
    completed on it. More than one account is a shared device.
-#}
device_claims as (
    select source_record_id, identifier_value as claimed_person
    from identifiers
    where identifier_type = 'account_id' and source_record_id like 'web\_\_devices:%' escape '\'

    union all

    select
        identifiers.source_record_id,
        orders.account_id
    from identifiers
    inner join orders
        on identifiers.identifier_value = orders.order_id
    where identifiers.identifier_type = 'order_id'
        and orders.account_id is not null
        and identifiers.source_record_id like 'web\_\_devices:%' escape '\'
),

device_accounts as (
    select
        source_record_id,
        count(distinct claimed_person) as account_count
    from device_claims
    group by 1
),

shared_devices as (
    select
        'device_id' as identifier_type,
        substr(source_record_id, {{ 'web__devices:' | length + 1 }}) as identifier_value,
        'shared_device' as exclusion_reason,
        account_count as source_record_count
    from device_accounts
    where account_count > 1
),

final as (
    select * from junk
    union all
    select * from shared_phones
    union all
    select * from shared_devices
)

select * from final
