{#-
    Proof, per erasure request, that it was carried out in this run: which customer the
    identifier matched, that the customer's personal fields are empty in customers, that none of
    their identifiers remain in customer_identifiers, and that no audience sends to them. Requests
    are kept in the raw history, so a record arriving later for an erased identifier resolves to
    the same customer and is erased again: erasure never depends on when data arrived. The
    identifier itself is kept only as its SHA-256.
-#}
with

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

customers as (
    select * from {{ ref('customers') }}
),

published_identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

memberships as (
    select * from {{ ref('int_audience_memberships') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

matched as (
    select distinct
        erasure_requests.erasure_request_id,
        erasure_requests.requested_at,
        erasure_requests.request_source,
        erasure_requests.identifier_type,
        erasure_requests.identifier_normalized,
        customer_identifiers.customer_id
    from erasure_requests
    left join customer_identifiers
        on erasure_requests.identifier_type = customer_identifiers.identifier_type
        and erasure_requests.identifier_normalized = customer_identifiers.identifier_value
),

remaining_identifiers as (
    select
        customer_id,
        count(*) as identifier_count
    from published_identifiers
    group by 1
),

audience_sends as (
    select
        customer_id,
        count(*) as treatment_count
    from memberships
    where membership_status = 'treatment'
    group by 1
),

final as (
    select
        {{ dbt.concat([
            "matched.erasure_request_id", "'|'", "coalesce(matched.customer_id, 'unmatched')"
        ]) }} as erasure_audit_id,
        matched.erasure_request_id,
        matched.requested_at,
        matched.request_source,
        matched.identifier_type,
        {{ sha256_hex('matched.identifier_normalized') }} as identifier_sha256,
        matched.customer_id,
        matched.customer_id is not null as is_matched,
        (
            case when customers.email is not null then 1 else 0 end
            + case when customers.phone_e164 is not null then 1 else 0 end
            + case when customers.first_name is not null then 1 else 0 end
            + case when customers.last_name is not null then 1 else 0 end
            + case when customers.date_of_birth is not null then 1 else 0 end
            + case when customers.address_line1 is not null then 1 else 0 end
            + case when customers.city is not null then 1 else 0 end
            + case when customers.postcode is not null then 1 else 0 end
        ) as personal_field_count,
        coalesce(remaining_identifiers.identifier_count, 0) as remaining_identifier_count,
        coalesce(audience_sends.treatment_count, 0) as audience_send_count,
        as_of.as_of_date as applied_as_of_date,
        {{ dbt.current_timestamp() }} as checked_at
    from matched
    left join customers
        on matched.customer_id = customers.customer_id
    left join remaining_identifiers
        on matched.customer_id = remaining_identifiers.customer_id
    left join audience_sends
        on matched.customer_id = audience_sends.customer_id
    cross join as_of
)

select * from final
