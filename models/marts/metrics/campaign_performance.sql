{#- Orders are attributed to a campaign when the buyer clicked it in the 7 days before ordering. -#}
with

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

email_events as (
    select * from {{ ref('stg_email__engagement_events') }}
),

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

resolved as (
    select * from {{ ref('int_source_records_resolved') }}
    where source_table = 'email__recipients'
),

event_counts as (
    select
        campaign_id,
        count(distinct case when event_type = 'sent' then email_normalized end) as sent_count,
        count(distinct case when event_type = 'delivered' then email_normalized end)
            as delivered_count,
        count(distinct case when event_type = 'open' then email_normalized end)
            as unique_open_count,
        count(distinct case when event_type = 'click' then email_normalized end)
            as unique_click_count,
        count(distinct case when event_type = 'bounce' then email_normalized end) as bounce_count,
        count(distinct case when event_type = 'unsubscribe' then email_normalized end)
            as unsubscribe_count,
        count(distinct case when event_type = 'spam_complaint' then email_normalized end)
            as complaint_count
    from email_events
    group by 1
),

clicks as (
    select
        email_events.campaign_id,
        resolved.customer_id,
        min(email_events.occurred_at) as first_clicked_at
    from email_events
    inner join resolved
        on lower(trim(email_events.email)) = resolved.record_key
    where email_events.event_type = 'click'
    group by 1, 2
),

attributed_orders as (
    select
        clicks.campaign_id,
        count(distinct orders.order_id) as attributed_order_count,
        sum(orders.net_revenue_usd) as attributed_revenue_usd
    from clicks
    inner join orders
        on clicks.customer_id = orders.customer_id
        and orders.ordered_at >= clicks.first_clicked_at
        and orders.ordered_at < {{ dbt.dateadd('day', 7, 'clicks.first_clicked_at') }}
    group by 1
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.sent_at,
        campaigns.cost_usd,
        coalesce(event_counts.sent_count, 0) as sent_count,
        coalesce(event_counts.delivered_count, 0) as delivered_count,
        coalesce(event_counts.unique_open_count, 0) as unique_open_count,
        coalesce(event_counts.unique_click_count, 0) as unique_click_count,
        coalesce(event_counts.bounce_count, 0) as bounce_count,
        coalesce(event_counts.unsubscribe_count, 0) as unsubscribe_count,
        coalesce(event_counts.complaint_count, 0) as complaint_count,
        case when event_counts.delivered_count > 0
            then cast(event_counts.unique_open_count as double) / event_counts.delivered_count
        end as open_rate,
        case when event_counts.delivered_count > 0
            then cast(event_counts.unique_click_count as double) / event_counts.delivered_count
        end as click_rate,
        case when event_counts.sent_count > 0
            then cast(event_counts.bounce_count as double) / event_counts.sent_count
        end as bounce_rate,
        coalesce(attributed_orders.attributed_order_count, 0) as attributed_order_count,
        coalesce(attributed_orders.attributed_revenue_usd, 0) as attributed_revenue_usd
    from campaigns
    left join event_counts on campaigns.campaign_id = event_counts.campaign_id
    left join attributed_orders on campaigns.campaign_id = attributed_orders.campaign_id
)

select * from final
