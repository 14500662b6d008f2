{#
    Links between source records.
    - Deterministic: records that share a usable identifier. Each identifier value links every
      record carrying it to one anchor record (the smallest id), a star rather than all pairs,
      which keeps the graph linear in size and gives the same components.
    - Probabilistic: pairs the Splink model scores at or above
      identity_match_probability_threshold, kept only with evidence beyond the name: similar
      first names (households share a surname, a phone and an address), and a shared phone,
      postcode or date of birth, and no conflicting date of birth.
    - Phone confirmed by name: a phone excluded as shared (seen with several emails: often one
      person's work and private addresses) still links a named record to a record of the same
      name that is reached through it: the named record's phone is on some record whose usable
      email is on a record with the same last name, similar first name and no conflicting date
      of birth. CRM contacts known by a work email and a phone that otherwise appears only on
      orders placed with a private email are linked this way.
#}
with

identifiers as (
    select * from {{ ref('int_identifiers_normalized') }}
),

exclusions as (
    select * from {{ ref('int_identity_exclusions') }}
),

probabilistic_matches as (
    select * from {{ ref('int_identity_probabilistic_matches') }}
),

named_records as (
    select * from {{ ref('int_identity_match_candidates') }}
),

excluded_devices as (
    select {{ dbt.concat(["'web__devices:'", "identifier_value"]) }} as source_record_id
    from exclusions
    where identifier_type = 'device_id'
),

linkable as (
    select identifiers.*
    from identifiers
    left join exclusions
        on identifiers.identifier_type = exclusions.identifier_type
        and identifiers.identifier_value = exclusions.identifier_value
    left join excluded_devices
        on identifiers.source_record_id = excluded_devices.source_record_id
    where exclusions.identifier_value is null
        and excluded_devices.source_record_id is null
        and identifiers.identifier_type in ('email', 'phone', 'account_id', 'order_id')
),

anchored as (
    select
        source_record_id,
        identifier_type,
        identifier_value,
        min(source_record_id) over (
            partition by identifier_type, identifier_value
        ) as anchor_source_record_id
    from linkable
),

deterministic_edges as (
    select
        source_record_id,
        anchor_source_record_id as linked_source_record_id,
        {{ dbt.concat(["'shared_'", "identifier_type"]) }} as link_rule,
        identifier_type,
        identifier_value,
        cast(null as double) as match_probability
    from anchored
    where source_record_id <> anchor_source_record_id
),

probabilistic_edges as (
    select
        source_record_id_r as source_record_id,
        source_record_id_l as linked_source_record_id,
        'probabilistic_match' as link_rule,
        'record' as identifier_type,
        source_record_id_l as identifier_value,
        match_probability
    from probabilistic_matches
    where match_probability >= {{ var('identity_match_probability_threshold') }}
        and {{ name_similarity('first_name_l', 'first_name_r') }}
            >= {{ var('identity_min_first_name_similarity') }}
        and (
            phone_e164_l = phone_e164_r
            or postcode_l = postcode_r
            or date_of_birth_l = date_of_birth_r
        )
        and not coalesce(date_of_birth_l <> date_of_birth_r, false)
),

shared_phones as (
    select identifier_value
    from exclusions
    where identifier_type = 'phone'
        and exclusion_reason = 'shared_identifier'
),

shared_phone_holders as (
    select
        identifiers.source_record_id,
        identifiers.identifier_value as phone_e164
    from identifiers
    inner join shared_phones
        on identifiers.identifier_value = shared_phones.identifier_value
    where identifiers.identifier_type = 'phone'
),

{#- A named record, a record sharing its (shared) phone, and that record's usable emails. -#}
emails_reached_by_phone as (
    select distinct
        named_records.source_record_id,
        named_records.phone_e164,
        linkable.identifier_value as email_normalized
    from named_records
    inner join shared_phone_holders
        on named_records.phone_e164 = shared_phone_holders.phone_e164
        and named_records.source_record_id <> shared_phone_holders.source_record_id
    inner join linkable
        on shared_phone_holders.source_record_id = linkable.source_record_id
        and linkable.identifier_type = 'email'
),

{#- One edge per record and phone (the key of this model): to the smallest record of its name. -#}
phone_and_name_edges as (
    select
        reached.source_record_id,
        min(same_name.source_record_id) as linked_source_record_id,
        'shared_phone_and_name' as link_rule,
        'phone' as identifier_type,
        reached.phone_e164 as identifier_value,
        cast(null as double) as match_probability
    from emails_reached_by_phone as reached
    inner join named_records as caller
        on reached.source_record_id = caller.source_record_id
    inner join linkable as same_email
        on reached.email_normalized = same_email.identifier_value
        and same_email.identifier_type = 'email'
    inner join named_records as same_name
        on same_email.source_record_id = same_name.source_record_id
    where same_name.source_record_id <> caller.source_record_id
        and same_name.last_name = caller.last_name
        and {{ name_similarity('same_name.first_name', 'caller.first_name') }}
            >= {{ var('identity_min_first_name_similarity') }}
        and not coalesce(same_name.date_of_birth <> caller.date_of_birth, false)
    group by reached.source_record_id, reached.phone_e164
),

final as (
    select * from deterministic_edges
    union all
    select * from probabilistic_edges
    union all
    select * from phone_and_name_edges
)

select * from final
