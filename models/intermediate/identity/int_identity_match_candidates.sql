{#- Source records with a full name: what the probabilistic model compares (names normalized). -#}
with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

final as (
    select
        source_record_id,
        source_table,
        {{ normalize_name('first_name') }} as first_name,
        {{ normalize_name('last_name') }} as last_name,
        date_of_birth,
        lower(replace(postcode, ' ', '')) as postcode,
        lower(trim(city)) as city,
        email_normalized,
        phone_e164
    from source_records
    where first_name is not null
        and last_name is not null
)

select * from final
