{#-
    Source records with a full name: what the probabilistic model compares (names normalized).
    Junk phones and emails (the junk_identifiers seed: 555 numbers, test@test.com) are blanked:
    they say nothing about who someone is, a shared 555 number must not count as the evidence
    int_identity_edges asks for, and they would form the largest phone blocks.
-#}
with

source_records as (
    select * from {{ ref('int_identity_source_records') }}
),

junk_identifiers as (
    select * from {{ ref('junk_identifiers') }}
),

junk_phones as (
    select identifier_value as phone_e164
    from junk_identifiers
    where identifier_type = 'phone'
),

junk_emails as (
    select identifier_value as email_normalized
    from junk_identifiers
    where identifier_type = 'email'
),

final as (
    select
        source_records.source_record_id,
        source_records.source_table,
        {{ normalize_name('source_records.first_name') }} as first_name,
        {{ normalize_name('source_records.last_name') }} as last_name,
        source_records.date_of_birth,
        lower(replace(source_records.postcode, ' ', '')) as postcode,
        lower(trim(source_records.city)) as city,
        case
            when junk_emails.email_normalized is null then source_records.email_normalized
        end as email_normalized,
        case
            when junk_phones.phone_e164 is null then source_records.phone_e164
        end as phone_e164
    from source_records
    left join junk_phones
        on source_records.phone_e164 = junk_phones.phone_e164
    left join junk_emails
        on source_records.email_normalized = junk_emails.email_normalized
    where source_records.first_name is not null
        and source_records.last_name is not null
)

select * from final
