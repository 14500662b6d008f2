{#
    Links between source records that share a usable identifier. Each identifier value links
    every record carrying it to one anchor record (the smallest id), a star rather than all
    pairs, which keeps the graph linear in size and gives the same components.
#}
with

identifiers as (
    select * from {{ ref('int_identifiers_normalized') }}
),

exclusions as (
    select * from {{ ref('int_identity_exclusions') }}
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
        and identifiers.identifier_type in ('email', 'phone', 'account_id')
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

final as (
    select
        source_record_id,
        anchor_source_record_id as linked_source_record_id,
        {{ dbt.concat(["'shared_'", "identifier_type"]) }} as link_rule,
        identifier_type,
        identifier_value
    from anchored
    where source_record_id <> anchor_source_record_id
)

select * from final
