{#- A customer is erased when any identifier they are known by is named in an erasure request. -#}
with

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

final as (
    select
        customer_identifiers.customer_id,
        min(erasure_requests.requested_at) as erasure_requested_at
    from erasure_requests
    inner join customer_identifiers
        on erasure_requests.identifier_type = customer_identifiers.identifier_type
        and erasure_requests.identifier_normalized = customer_identifiers.identifier_value
    group by 1
)

select * from final
