{#-
    Service recovery: customers whose latest NPS answer is a detractor score (0-6) given in the
    last audience_nps_recovery_days days. A service audience: its members get no promotional
    message in the same run (int_audience_memberships).
-#}
with

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

source_records as (
    select * from {{ ref('int_source_records_resolved') }}
    where source_table = 'surveys__nps_responses'
),

customers as (
    select * from {{ ref('customers') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customer_responses as (
    select
        source_records.customer_id,
        nps_responses.nps_score,
        nps_responses.responded_at,
        {{ dbt.datediff('nps_responses.responded_at', 'as_of.as_of_date', 'day') }}
            as response_age_days,
        row_number() over (
            partition by source_records.customer_id
            order by nps_responses.responded_at desc, nps_responses.response_id desc
        ) as recency_rank
    from nps_responses
    inner join source_records
        on nps_responses.response_id = source_records.record_key
    cross join as_of
),

final as (
    select
        customer_responses.customer_id,
        customers.first_name,
        customer_responses.nps_score,
        customer_responses.responded_at as nps_responded_at
    from customer_responses
    inner join customers
        on customer_responses.customer_id = customers.customer_id
    where customer_responses.recency_rank = 1
        and customer_responses.nps_score <= 6
        and customer_responses.response_age_days <= {{ var('audience_nps_recovery_days') }}
)

select * from final
