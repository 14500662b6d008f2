{#- Every erased customer: no personal field, no identifier, no audience send. One row per failure. -#}
with

erasure_audit as (
    select * from {{ ref('erasure_audit') }}
),

final as (
    select *
    from erasure_audit
    where is_matched
        and (
            personal_field_count > 0
            or remaining_identifier_count > 0
            or audience_send_count > 0
        )
)

select * from final
