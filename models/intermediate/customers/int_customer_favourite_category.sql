{#-
    Each buyer's favourite product category: the one with the most units kept (bought minus
    returned) over their completed orders known on the as-of date; ties go to the category with
    more net spend on those units, then to the first name alphabetically.
-#}
with

orders as (
    select * from {{ ref('int_orders_resolved') }}
    where is_completed
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
    where category is not null
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

category_totals as (
    select
        orders.customer_id,
        order_items.category,
        sum(order_items.quantity - order_items.returned_quantity) as kept_unit_count,
        sum(
            (order_items.quantity - order_items.returned_quantity) * order_items.unit_price_amount
            - order_items.discount_amount
        ) as kept_amount
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    cross join as_of
    where cast(orders.ordered_at as date) <= as_of.as_of_date
        and cast(coalesce(orders.updated_at, orders.ordered_at) as date) <= as_of.as_of_date
    group by 1, 2
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by kept_unit_count desc, kept_amount desc, category asc
        ) as preference_rank
    from category_totals
    where kept_unit_count > 0
),

final as (
    select
        customer_id,
        category as favourite_category,
        kept_unit_count as favourite_category_unit_count
    from ranked
    where preference_rank = 1
)

select * from final
