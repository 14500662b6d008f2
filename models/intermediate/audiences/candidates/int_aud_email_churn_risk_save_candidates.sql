{#-
    Churn-risk save list: customers who still buy (not yet churned) but whose churn-risk score
    is in the high band (docs/customer-360.md), with what a save offer needs to be personal.
-#}
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        customer_id,
        first_name,
        lifecycle_stage,
        churn_risk_score,
        predicted_clv_usd
    from customers
    where
        churn_risk_band = 'high'
        and lifecycle_stage in ('new', 'active', 'reactivated', 'at_risk')
)

select * from final
