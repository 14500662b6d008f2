{#
    Links between source records.
    - Deterministic: records that share a usable identifier. Each identifier value links every
      record carrying it to one anchor record (the smallest id), a star rather than all pairs,
      which keeps the graph linear in size and gives the same components.
    - Probabilistic: pairs the Splink model scores at or above
      identity_match_probability_threshold, kept only with evidence beyond the name: similar
      first names (households share a surname, a phone and an address), and a shared phone,
      postcode or date of birth, and no conflicting date of birth.
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

final as (
    select * from deterministic_edges
    union all
    select * from probabilistic_edges
)

select * from final
