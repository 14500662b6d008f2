{#-
    Historical CLV (net revenue to date) next to predicted CLV from the BG/NBD and Gamma-Gamma
    fits (docs/clv.md), for every customer with a completed order.
-#}
with

order_summary as (
    select * from {{ ref('int_customer_order_summary') }}
    where completed_order_count > 0
),

predictions as (
    select * from {{ ref('int_customer_clv_predicted') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        order_summary.customer_id,
        as_of.as_of_date,
        order_summary.first_order_at,
        order_summary.last_order_at,
        order_summary.completed_order_count,
        order_summary.lifetime_revenue_usd as historical_clv_usd,
        predictions.repeat_purchase_count,
        predictions.recency_days,
        predictions.customer_age_days,
        cast(predictions.average_repeat_purchase_value_usd as double)
            as average_repeat_purchase_value_usd,
        cast(predictions.expected_purchase_count as double) as expected_purchase_count,
        cast(predictions.probability_alive as double) as probability_alive,
        cast(predictions.expected_average_order_value_usd as double)
            as expected_average_order_value_usd,
        cast(predictions.predicted_clv_usd as double) as predicted_clv_usd,
        {#- Orders after the as-of date (an as_of_date var in the past) are not scored. -#}
        coalesce(predictions.prediction_status, 'first_order_after_as_of_date')
            as prediction_status
    from order_summary
    cross join as_of
    left join predictions
        on order_summary.customer_id = predictions.customer_id
)

select * from final
