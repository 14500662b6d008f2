{#- The BG/NBD and Gamma-Gamma parameters this run estimated (docs/clv.md). -#}
with

fits as (
    select * from {{ ref('int_clv_model_fits') }}
),

final as (
    select
        {{ dbt.concat(["fit_name", "'|'", "model_name", "'|'", "parameter_name"]) }}
            as clv_parameter_id,
        cast(as_of_date as date) as as_of_date,
        model_name,
        fit_name,
        cast(calibration_start_date as date) as calibration_start_date,
        cast(calibration_end_date as date) as calibration_end_date,
        cast(holdout_end_date as date) as holdout_end_date,
        parameter_name,
        cast(parameter_value as double) as parameter_value,
        cast(log_likelihood as double) as log_likelihood,
        cast(customer_count as bigint) as customer_count,
        is_converged,
        fit_status
    from fits
)

select * from final
