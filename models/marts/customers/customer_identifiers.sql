with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

exclusions as (
    select * from {{ ref('int_identity_exclusions') }}
),

identifier_exclusions as (
    select
        identifier_type,
        identifier_value,
        min(exclusion_reason) as exclusion_reason
    from exclusions
    group by 1, 2
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

final as (
    select
        {{ dbt.concat([
            "customer_identifiers.customer_id", "'|'",
            "customer_identifiers.identifier_type", "'|'",
            "customer_identifiers.identifier_value",
        ]) }} as customer_identifier_id,
        customer_identifiers.customer_id,
        customer_identifiers.identifier_type,
        customer_identifiers.identifier_value,
        customer_identifiers.source_record_count,
        exclusions.exclusion_reason is null as is_used_for_linking,
        exclusions.exclusion_reason
    from customer_identifiers
    left join identifier_exclusions as exclusions
        on customer_identifiers.identifier_type = exclusions.identifier_type
        and customer_identifiers.identifier_value = exclusions.identifier_value
    left join erased_customers
        on customer_identifiers.customer_id = erased_customers.customer_id
    where erased_customers.customer_id is null
)

select * from final
