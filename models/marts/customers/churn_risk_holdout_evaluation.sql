{#-
    How well the churn-risk score predicts churn: customers are scored as of the holdout cutoff
    (churn_risk_holdout_days before the as-of date) from data up to the cutoff only, then checked
    for a completed order in the days after it, up to the as-of date. Per population and band:
    churn rate; per population: the AUC (probability that a churner outscores a non-churner,
    ties counting half), from rank sums.
-#}
with

scores as (
    select * from {{ ref('int_customer_churn_risk_scored') }}
    where evaluation_role = 'holdout_cutoff'
),

order_days as (
    select * from {{ ref('int_customer_order_days') }}
    where evaluation_role = 'as_of'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

buyers_after_cutoff as (
    select distinct
        order_days.customer_id
    from order_days
    inner join scores
        on order_days.customer_id = scores.customer_id
        and order_days.order_date > scores.evaluation_date
),

outcomes as (
    select
        scores.evaluation_date,
        scores.customer_id,
        scores.lifecycle_stage,
        scores.churn_risk_score,
        scores.churn_risk_band,
        buyers_after_cutoff.customer_id is null as has_churned
    from scores
    left join buyers_after_cutoff
        on scores.customer_id = buyers_after_cutoff.customer_id
),

populations as (
    select
        'all_buyers' as population,
        outcomes.*
    from outcomes
    union all
    select
        'not_yet_churned' as population,
        outcomes.*
    from outcomes
    where lifecycle_stage <> 'churned'
),

ranked as (
    select
        *,
        rank() over (partition by population order by churn_risk_score)
            + (count(*) over (partition by population, churn_risk_score) - 1) / 2.0
            as score_rank
    from populations
),

population_auc as (
    select
        population,
        case
            when count(case when has_churned then 1 end) > 0
                and count(case when not has_churned then 1 end) > 0
                then (
                    sum(case when has_churned then score_rank else 0 end)
                    - count(case when has_churned then 1 end)
                    * (count(case when has_churned then 1 end) + 1) / 2.0
                ) / (
                    1.0 * count(case when has_churned then 1 end)
                    * count(case when not has_churned then 1 end)
                )
        end as auc
    from ranked
    group by 1
),

banded as (
    select
        population,
        churn_risk_band,
        evaluation_date,
        churn_risk_score,
        has_churned
    from populations
    union all
    select
        population,
        'all' as churn_risk_band,
        evaluation_date,
        churn_risk_score,
        has_churned
    from populations
),

final as (
    select
        {{ dbt.concat(["banded.population", "'|'", "banded.churn_risk_band"]) }}
            as churn_risk_evaluation_id,
        banded.population,
        banded.churn_risk_band,
        max(banded.evaluation_date) as scored_as_of_date,
        max(as_of.as_of_date) as outcome_until_date,
        count(*) as customer_count,
        count(case when banded.has_churned then 1 end) as churned_customer_count,
        round(1.0 * count(case when banded.has_churned then 1 end) / count(*), 4) as churn_rate,
        round(avg(banded.churn_risk_score), 4) as average_churn_risk_score,
        round(max(population_auc.auc), 4) as population_auc
    from banded
    inner join population_auc
        on banded.population = population_auc.population
    cross join as_of
    group by 1, 2, 3
)

select * from final
