{#-
    Cart and browse abandoners: customers who added a product to the cart (cart) or viewed one
    (browse) on any of their devices in the last audience_abandonment_window_days days, at least
    audience_abandonment_min_hours before the end of the as-of date, and ordered nothing after
    (no shop order, no order_completed event). Cart wins over browse.
-#}
with

web_events as (
    select * from {{ ref('stg_web__events') }}
    where event_name in ('add_to_cart', 'product_view', 'order_completed')
),

devices as (
    select * from {{ ref('int_source_records_resolved') }}
    where source_table = 'web__devices'
),

orders as (
    select * from {{ ref('int_orders_resolved') }}
),

customers as (
    select * from {{ ref('customers') }}
),

as_of as (
    select
        {{ dbt.dateadd('day', 1, 'cast(as_of_date as timestamp)') }} as window_end_at
    from {{ ref('int_as_of_date') }}
),

customer_events as (
    select
        devices.customer_id,
        web_events.event_name,
        web_events.occurred_at
    from web_events
    inner join devices
        on web_events.anonymous_id = devices.record_key
),

customer_interest as (
    select
        customer_events.customer_id,
        max(case when customer_events.event_name = 'add_to_cart' then customer_events.occurred_at end)
            as last_cart_at,
        max(case when customer_events.event_name = 'product_view' then customer_events.occurred_at end)
            as last_view_at,
        max(case when customer_events.event_name = 'order_completed' then customer_events.occurred_at end)
            as last_order_event_at
    from customer_events
    cross join as_of
    where customer_events.occurred_at
        >= {{ dbt.dateadd('day', -var('audience_abandonment_window_days'), 'as_of.window_end_at') }}
        and customer_events.occurred_at
        <= {{ dbt.dateadd('hour', -var('audience_abandonment_min_hours'), 'as_of.window_end_at') }}
    group by 1
),

customer_orders as (
    select
        customer_id,
        max(ordered_at) as last_ordered_at
    from orders
    where customer_id is not null
    group by 1
),

abandonment as (
    select
        customer_interest.customer_id,
        customer_interest.last_cart_at,
        customer_interest.last_view_at,
        greatest(
            coalesce(customer_interest.last_order_event_at, cast('1900-01-01' as timestamp)),
            coalesce(customer_orders.last_ordered_at, cast('1900-01-01' as timestamp))
        ) as last_ordered_at
    from customer_interest
    left join customer_orders
        on customer_interest.customer_id = customer_orders.customer_id
),

final as (
    select
        abandonment.customer_id,
        customers.first_name,
        case
            when abandonment.last_cart_at > abandonment.last_ordered_at then 'cart'
            else 'browse'
        end as abandonment_type,
        case
            when abandonment.last_cart_at > abandonment.last_ordered_at
                then abandonment.last_cart_at
            else abandonment.last_view_at
        end as abandoned_at
    from abandonment
    inner join customers
        on abandonment.customer_id = customers.customer_id
    where abandonment.last_cart_at > abandonment.last_ordered_at
        or abandonment.last_view_at > abandonment.last_ordered_at
)

select * from final
