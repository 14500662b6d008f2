{#-
    The churn-risk score: the weighted mean of the signals of int_customer_churn_risk_signals
    (weights are the churn_risk_weight_* vars), in [0, 1], and its band.
-#}
{%- set weights = {
    'recency_risk': var('churn_risk_weight_recency'),
    'frequency_risk': var('churn_risk_weight_frequency'),
    'monetary_trend_risk': var('churn_risk_weight_monetary_trend'),
    'engagement_risk': var('churn_risk_weight_engagement'),
    'support_risk': var('churn_risk_weight_support'),
    'nps_risk': var('churn_risk_weight_nps'),
} %}
{%- set weight_sum = weights.values() | sum %}
with

signals as (
    select * from {{ ref('int_customer_churn_risk_signals') }}
),

scored as (
    select
        *,
        round(
            (
                {%- for signal, weight in weights.items() %}
                {{ weight }} * {{ signal }}{{ ' +' if not loop.last }}
                {%- endfor %}
            ) / {{ weight_sum }},
            4
        ) as churn_risk_score
    from signals
),

final as (
    select
        *,
        case
            when churn_risk_score >= {{ var('churn_risk_high_from') }} then 'high'
            when churn_risk_score >= {{ var('churn_risk_medium_from') }} then 'medium'
            else 'low'
        end as churn_risk_band
    from scored
)

select * from final
