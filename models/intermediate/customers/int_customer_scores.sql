{#-
    The scores and segments the customer 360 carries, one row per customer (null where the
    customer has no completed order): RFM segment, churn-risk score and band on the as-of date,
    purchase cadence, and predicted CLV with its decile.
-#}
with

customers as (
    select customer_id from {{ ref('int_customer_profiles') }}
),

rfm as (
    select * from {{ ref('int_customer_rfm_scored') }}
),

churn_risk as (
    select * from {{ ref('int_customer_churn_risk_scored') }}
    where evaluation_role = 'as_of'
),

cadences as (
    select
        customer_id,
        max_by(cadence_gap_days, order_date) as purchase_cadence_days
    from {{ ref('int_customer_order_days') }}
    where evaluation_role = 'as_of'
    group by 1
),

clv_predictions as (
    select * from {{ ref('int_customer_clv_predicted') }}
),

clv_deciles as (
    select
        customer_id,
        predicted_clv_usd,
        probability_alive,
        expected_purchase_count,
        {#- 1 = the tenth with the highest predicted CLV; ties go to the smaller customer id. -#}
        cast(ntile(10) over (order by predicted_clv_usd desc, customer_id) as integer)
            as predicted_clv_decile
    from clv_predictions
    where predicted_clv_usd is not null
),

final as (
    select
        customers.customer_id,
        rfm.rfm_segment,
        churn_risk.churn_risk_score,
        churn_risk.churn_risk_band,
        cadences.purchase_cadence_days,
        cast(clv_deciles.predicted_clv_usd as double) as predicted_clv_usd,
        cast(clv_deciles.probability_alive as double) as probability_alive,
        cast(clv_deciles.expected_purchase_count as double) as expected_purchase_count,
        clv_deciles.predicted_clv_decile
    from customers
    left join rfm on customers.customer_id = rfm.customer_id
    left join churn_risk on customers.customer_id = churn_risk.customer_id
    left join cadences on customers.customer_id = cadences.customer_id
    left join clv_deciles on customers.customer_id = clv_deciles.customer_id
)

select * from final
