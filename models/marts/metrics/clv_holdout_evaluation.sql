{#- How well the calibration fit predicted the held-out days (docs/clv.md). -#}
with

evaluation as (
    select * from {{ ref('int_clv_holdout_evaluation') }}
),

final as (
    select
        cast(as_of_date as date) as as_of_date,
        cast(calibration_end_date as date) as calibration_end_date,
        cast(holdout_end_date as date) as holdout_end_date,
        cast(holdout_days as bigint) as holdout_days,
        cast(customer_count as bigint) as customer_count,
        cast(actual_purchase_count as bigint) as actual_purchase_count,
        cast(predicted_purchase_count as double) as predicted_purchase_count,
        cast(purchase_count_percentage_error as double) as purchase_count_percentage_error,
        cast(purchase_count_mean_absolute_error as double) as purchase_count_mean_absolute_error,
        cast(baseline_purchase_count as double) as baseline_purchase_count,
        cast(baseline_mean_absolute_error as double) as baseline_mean_absolute_error,
        cast(actual_revenue_usd as double) as actual_revenue_usd,
        cast(predicted_revenue_usd as double) as predicted_revenue_usd,
        cast(revenue_percentage_error as double) as revenue_percentage_error,
        evaluation_status
    from evaluation
)

select * from final
