{#-
    The dates stages and churn-risk signals are evaluated on: the as-of date, and the holdout
    cutoff churn_risk_holdout_days before it (the churn-risk score is validated on what happened
    after the cutoff).
-#}
with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        as_of_date as evaluation_date,
        'as_of' as evaluation_role
    from as_of
    union all
    select
        cast({{ dbt.dateadd('day', -1 * var('churn_risk_holdout_days'), 'as_of_date') }} as date),
        'holdout_cutoff'
    from as_of
)

select * from final
