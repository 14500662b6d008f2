with

contactability as (
    select * from {{ ref('int_customer_contactability') }}
),

final as (
    select
        {{ dbt.concat(["customer_id", "'|'", "channel", "'|'", "purpose"]) }} as customer_consent_id,
        customer_id,
        channel,
        purpose,
        is_contactable,
        blocked_reason
    from contactability
)

select * from final
