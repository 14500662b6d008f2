with

orders as (
    select * from {{ ref('int_orders_resolved') }}
),

completed_orders as (
    select
        *,
        row_number() over (partition by customer_id order by ordered_at, order_id)
            as customer_order_number
    from orders
    where is_completed
),

customer_months as (
    select
        order_month,
        customer_id,
        min(customer_order_number) as first_order_number_in_month
    from completed_orders
    group by 1, 2
),

customer_counts as (
    select
        order_month,
        count(*) as customer_count,
        count(case when first_order_number_in_month = 1 then 1 end) as new_customer_count,
        count(case when first_order_number_in_month > 1 then 1 end)
            as returning_customer_count
    from customer_months
    group by 1
),

order_totals as (
    select
        order_month,
        count(case when is_completed then 1 end) as completed_order_count,
        count(case when order_status = 'cancelled' then 1 end) as cancelled_order_count,
        coalesce(sum(case when is_completed then total_usd end), 0) as gross_revenue_usd,
        coalesce(sum(case when is_completed then refunded_usd end), 0) as refunded_usd,
        coalesce(sum(case when is_completed then net_revenue_usd end), 0) as net_revenue_usd
    from orders
    group by 1
),

final as (
    select
        order_totals.order_month,
        order_totals.completed_order_count,
        order_totals.cancelled_order_count,
        coalesce(customer_counts.customer_count, 0) as customer_count,
        coalesce(customer_counts.new_customer_count, 0) as new_customer_count,
        coalesce(customer_counts.returning_customer_count, 0) as returning_customer_count,
        order_totals.gross_revenue_usd,
        order_totals.refunded_usd,
        order_totals.net_revenue_usd,
        case when order_totals.completed_order_count > 0
            then order_totals.net_revenue_usd / order_totals.completed_order_count
        end as average_order_value_usd,
        case when customer_counts.customer_count > 0
            then cast(customer_counts.returning_customer_count as double)
                / customer_counts.customer_count
        end as repeat_purchase_rate,
        case when order_totals.gross_revenue_usd > 0
            then cast(order_totals.refunded_usd / order_totals.gross_revenue_usd as double)
        end as refund_rate,
        case when customer_counts.customer_count > 0
            then cast(order_totals.completed_order_count as double)
                / customer_counts.customer_count
        end as purchase_frequency
    from order_totals
    left join customer_counts
        on order_totals.order_month = customer_counts.order_month
)

select * from final
