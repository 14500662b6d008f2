{#
    The golden profile: for each attribute, the value from the most trusted source that has one
    (shop account, then CRM, loyalty, support, orders, surveys), the most recent within a source.
#}
with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

ranked_records as (
    select
        resolved.customer_id,
        source_records.*,
        row_number() over (
            partition by resolved.customer_id
            order by source_records.source_priority, source_records.observed_at desc,
                source_records.source_record_id
        ) as trust_rank
    from source_records
    inner join resolved
        on source_records.source_record_id = resolved.source_record_id
),

final as (
    select
        customer_id,
        {%- for attribute in [
            'email_normalized', 'phone_e164', 'first_name', 'last_name', 'date_of_birth',
            'address_line1', 'city', 'postcode', 'country_code', 'acquisition_channel'
        ] %}
        {{ value_with_lowest_rank(attribute, 'trust_rank') }} as {{ attribute }},
        {%- endfor %}
        min(first_seen_at) as first_seen_at,
        max(case when source_table = 'shop__customers' then 1 else 0 end) = 1 as has_shop_account,
        count(*) as source_record_count
    from ranked_records
    group by 1
)

select * from final
