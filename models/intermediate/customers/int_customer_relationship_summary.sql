{#-
    Support, survey, loyalty, subscription and B2B facts per customer, from what was known on the
    as-of date (tickets raised, answers given, subscriptions started on or before it).
    - open tickets: status open or pending; resolution time: resolved_at - created_at over resolved
      tickets, in hours; latest CSAT: the rating of the most recently created rated ticket;
    - NPS class: promoter 9-10, passive 7-8, detractor 0-6 (latest answer);
    - subscription status: of the subscription that matters most: active, past_due, trialing,
      then cancelled, the latest started first within a status; MRR sums active and past-due ones;
    - firmographics: from the most recently updated CRM contact with a company name.
#}
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

crm_contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customer_tickets as (
    select
        resolved.customer_id,
        tickets.ticket_id,
        tickets.ticket_status,
        tickets.created_at,
        tickets.resolved_at,
        tickets.csat_score,
        {{ dbt.datediff('tickets.created_at', 'as_of.as_of_date', 'day') }} as days_ago
    from tickets
    inner join resolved
        on resolved.source_table = 'support__tickets' and resolved.record_key = tickets.ticket_id
    cross join as_of
    where cast(tickets.created_at as date) <= as_of.as_of_date
),

support_summary as (
    select
        customer_id,
        count(*) as support_ticket_count,
        count(case when ticket_status in ('open', 'pending') then 1 end) as open_ticket_count,
        count(case when days_ago < {{ var('engagement_long_window_days') }} then 1 end)
            as long_window_ticket_count,
        avg(csat_score) as average_csat_score,
        -- whole minutes averaged, then divided once: a sum of doubles depends on the order rows
        -- come in, which an incremental staging table does not keep
        avg(
            case
                when resolved_at is not null
                    then {{ dbt.datediff('created_at', 'resolved_at', 'minute') }}
            end
        ) / 60.0 as mean_resolution_hours,
        max_by(csat_score, case when csat_score is not null then created_at end)
            as latest_csat_score
    from customer_tickets
    group by 1
),

ranked_nps as (
    select
        resolved.customer_id,
        nps_responses.nps_score,
        nps_responses.nps_category,
        nps_responses.responded_at,
        row_number() over (
            partition by resolved.customer_id
            order by nps_responses.responded_at desc, nps_responses.response_id desc
        ) as recency_rank
    from nps_responses
    inner join resolved
        on resolved.source_table = 'surveys__nps_responses'
        and resolved.record_key = nps_responses.response_id
    cross join as_of
    where cast(nps_responses.responded_at as date) <= as_of.as_of_date
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

customer_subscriptions as (
    select
        customer_identifiers.customer_id,
        subscriptions.subscription_id,
        subscriptions.subscription_status,
        subscriptions.mrr_usd,
        row_number() over (
            partition by customer_identifiers.customer_id
            order by
                case subscriptions.subscription_status
                    when 'active' then 1 when 'past_due' then 2 when 'trialing' then 3 else 4
                end asc,
                subscriptions.started_at desc,
                subscriptions.subscription_id asc
        ) as importance_rank
    from subscriptions
    inner join customer_identifiers
        on customer_identifiers.identifier_type = 'account_id'
        and customer_identifiers.identifier_value = subscriptions.account_id
    cross join as_of
    where cast(subscriptions.started_at as date) <= as_of.as_of_date
),

subscription_summary as (
    select
        customer_id,
        max(case when importance_rank = 1 then subscription_status end) as subscription_status,
        count(*) as subscription_count,
        coalesce(sum(case when subscription_status in ('active', 'past_due') then mrr_usd end), 0)
            as active_mrr_usd
    from customer_subscriptions
    group by 1
),

ranked_companies as (
    select
        resolved.customer_id,
        crm_contacts.company_name,
        crm_contacts.industry,
        crm_contacts.company_size,
        crm_contacts.lead_status,
        row_number() over (
            partition by resolved.customer_id
            order by crm_contacts.updated_at desc, crm_contacts.contact_id asc
        ) as recency_rank
    from crm_contacts
    inner join resolved
        on resolved.source_table = 'crm__contacts'
        and resolved.record_key = crm_contacts.contact_id
    where crm_contacts.company_name is not null
),

customers as (
    select distinct customer_id from resolved
),

final as (
    select
        customers.customer_id,
        coalesce(support_summary.support_ticket_count, 0) as support_ticket_count,
        coalesce(support_summary.open_ticket_count, 0) as open_ticket_count,
        coalesce(support_summary.long_window_ticket_count, 0) as long_window_ticket_count,
        support_summary.mean_resolution_hours,
        support_summary.average_csat_score,
        support_summary.latest_csat_score,
        latest_nps.nps_score as latest_nps_score,
        latest_nps.nps_category as latest_nps_category,
        latest_nps.responded_at as latest_nps_responded_at,
        loyalty.loyalty_tier,
        loyalty.loyalty_points_balance,
        subscription_summary.subscription_status,
        coalesce(subscription_summary.subscription_count, 0) as subscription_count,
        coalesce(subscription_summary.active_mrr_usd, 0) as active_mrr_usd,
        company.company_name,
        company.industry as company_industry,
        company.company_size,
        company.lead_status as crm_lead_status
    from customers
    left join support_summary on customers.customer_id = support_summary.customer_id
    left join ranked_nps as latest_nps
        on customers.customer_id = latest_nps.customer_id
        and latest_nps.recency_rank = 1
    left join loyalty on customers.customer_id = loyalty.customer_id
    left join subscription_summary on customers.customer_id = subscription_summary.customer_id
    left join ranked_companies as company
        on customers.customer_id = company.customer_id
        and company.recency_rank = 1
)

select * from final
