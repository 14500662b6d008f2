{#
    Counts are unique recipients (normalized emails) per event type. An order is attributed to a
    campaign when its buyer clicked the campaign at most campaign_attribution_window_days before
    ordering (from their first click on it); an order can count for more than one campaign.
#}
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

recipient_clicks as (
    select
        email_events.campaign_id,
        email_events.email_normalized,
        resolved.customer_id,
        min(email_events.occurred_at) as first_clicked_at
    from email_events
    inner join resolved
        on lower(trim(email_events.email)) = resolved.record_key
    where email_events.event_type = 'click'
    group by 1, 2, 3
),

customer_clicks as (
    select
        campaign_id,
        customer_id,
        min(first_clicked_at) as first_clicked_at
    from recipient_clicks
    group by 1, 2
),

attributed_orders as (
    select
        customer_clicks.campaign_id,
        count(distinct orders.order_id) as attributed_order_count,
        sum(orders.net_revenue_usd) as attributed_revenue_usd
    from customer_clicks
    inner join orders
        on customer_clicks.customer_id = orders.customer_id
        and customer_clicks.first_clicked_at <= orders.ordered_at
        and {{ dbt.dateadd(
            'day', var('campaign_attribution_window_days'), 'customer_clicks.first_clicked_at'
        ) }} > orders.ordered_at
    group by 1
),

converted_recipients as (
    select
        recipient_clicks.campaign_id,
        count(distinct recipient_clicks.email_normalized) as converted_recipient_count
    from recipient_clicks
    inner join orders
        on recipient_clicks.customer_id = orders.customer_id
        and recipient_clicks.first_clicked_at <= orders.ordered_at
        and {{ dbt.dateadd(
            'day', var('campaign_attribution_window_days'), 'recipient_clicks.first_clicked_at'
        ) }} > orders.ordered_at
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
        coalesce(attributed_orders.attributed_revenue_usd, 0) as attributed_revenue_usd,
        case when event_counts.sent_count > 0
            then cast(event_counts.delivered_count as double) / event_counts.sent_count
        end as delivery_rate,
        case when event_counts.delivered_count > 0
            then cast(event_counts.unsubscribe_count as double) / event_counts.delivered_count
        end as unsubscribe_rate,
        case when event_counts.delivered_count > 0
            then cast(event_counts.complaint_count as double) / event_counts.delivered_count
        end as complaint_rate,
        coalesce(converted_recipients.converted_recipient_count, 0)
            as converted_recipient_count,
        case when event_counts.delivered_count > 0
            then cast(coalesce(converted_recipients.converted_recipient_count, 0) as double)
                / event_counts.delivered_count
        end as conversion_rate
    from campaigns
    left join event_counts on campaigns.campaign_id = event_counts.campaign_id
    left join attributed_orders on campaigns.campaign_id = attributed_orders.campaign_id
    left join converted_recipients
        on campaigns.campaign_id = converted_recipients.campaign_id
)

select * from final
