{#-
    Replenishment due: a customer whose usual time between two purchases of a product category
    has passed since their last purchase of it. The interval is the customer's own average gap
    when they bought the category at least three times, otherwise the category's average gap
    over all customers (trusted once it rests on audience_replenishment_min_repeat_purchases
    repeat purchases). Due from 1x to audience_replenishment_max_overdue_factor x the interval
    (later than that the need has probably been met elsewhere); the most overdue category wins.
-#}
{%- set overdue_factor = var('audience_replenishment_max_overdue_factor') %}

with

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed and customer_id is not null
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
    where category is not null
),

customers as (
    select * from {{ ref('customers') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

category_purchases as (
    select distinct
        orders.customer_id,
        order_items.category,
        cast(orders.ordered_at as date) as purchased_date
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
),

purchase_gaps as (
    select
        customer_id,
        category,
        purchased_date,
        {{ dbt.datediff(
            'lag(purchased_date) over (partition by customer_id, category order by purchased_date)',
            'purchased_date',
            'day'
        ) }} as gap_days
    from category_purchases
),

customer_cadence as (
    select
        customer_id,
        category,
        max(purchased_date) as last_purchased_date,
        count(gap_days) as gap_count,
        avg(gap_days) as average_gap_days
    from purchase_gaps
    group by 1, 2
),

category_cadence as (
    select
        category,
        avg(gap_days) as average_gap_days
    from purchase_gaps
    where gap_days is not null
    group by 1
    having count(gap_days) >= {{ var('audience_replenishment_min_repeat_purchases') }}
),

intervals as (
    select
        customer_cadence.customer_id,
        customer_cadence.category,
        customer_cadence.last_purchased_date,
        case
            when customer_cadence.gap_count >= 2 then customer_cadence.average_gap_days
            else category_cadence.average_gap_days
        end as reorder_interval_days,
        case
            when customer_cadence.gap_count >= 2 then 'customer'
            else 'category'
        end as interval_basis,
        {{ dbt.datediff('customer_cadence.last_purchased_date', 'as_of.as_of_date', 'day') }}
            as days_since_purchase
    from customer_cadence
    left join category_cadence
        on customer_cadence.category = category_cadence.category
    cross join as_of
),

due as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by days_since_purchase / reorder_interval_days desc, category
        ) as overdue_rank
    from intervals
    where reorder_interval_days > 0
        and days_since_purchase >= reorder_interval_days
        and days_since_purchase <= reorder_interval_days * {{ overdue_factor }}
),

final as (
    select
        due.customer_id,
        customers.first_name,
        due.category as replenishment_category,
        due.last_purchased_date,
        round(due.reorder_interval_days, 1) as reorder_interval_days,
        due.interval_basis
    from due
    inner join customers
        on due.customer_id = customers.customer_id
    where due.overdue_rank = 1
)

select * from final
