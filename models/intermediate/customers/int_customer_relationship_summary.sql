{#- Support, survey, loyalty and subscription facts per customer. -#}
with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

loyalty_members as (
    select * from {{ ref('stg_loyalty__members') }}
),

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

support_summary as (
    select
        resolved.customer_id,
        count(*) as support_ticket_count,
        avg(tickets.csat_score) as average_csat_score
    from tickets
    inner join resolved
        on resolved.source_table = 'support__tickets' and resolved.record_key = tickets.ticket_id
    group by 1
),

latest_nps as (
    select
        resolved.customer_id,
        max_by(nps_responses.nps_score, nps_responses.responded_at) as latest_nps_score
    from nps_responses
    inner join resolved
        on resolved.source_table = 'surveys__nps_responses'
        and resolved.record_key = nps_responses.response_id
    group by 1
),

loyalty as (
    select
        resolved.customer_id,
        max_by(loyalty_members.loyalty_tier, loyalty_members.updated_at) as loyalty_tier,
        cast(sum(loyalty_members.points_balance) as bigint) as loyalty_points_balance
    from loyalty_members
    inner join resolved
        on resolved.source_table = 'loyalty__members'
        and resolved.record_key = loyalty_members.loyalty_id
    group by 1
),

active_subscriptions as (
    select
        customer_identifiers.customer_id,
        sum(subscriptions.mrr_usd) as active_mrr_usd
    from subscriptions
    inner join customer_identifiers
        on customer_identifiers.identifier_type = 'account_id'
        and customer_identifiers.identifier_value = subscriptions.account_id
    where subscriptions.subscription_status in ('active', 'past_due')
    group by 1
),

customers as (
    select distinct customer_id from resolved
),

final as (
    select
        customers.customer_id,
        coalesce(support_summary.support_ticket_count, 0) as support_ticket_count,
        support_summary.average_csat_score,
        latest_nps.latest_nps_score,
        loyalty.loyalty_tier,
        loyalty.loyalty_points_balance,
        coalesce(active_subscriptions.active_mrr_usd, 0) as active_mrr_usd
    from customers
    left join support_summary on customers.customer_id = support_summary.customer_id
    left join latest_nps on customers.customer_id = latest_nps.customer_id
    left join loyalty on customers.customer_id = loyalty.customer_id
    left join active_subscriptions on customers.customer_id = active_subscriptions.customer_id
)

select * from final
