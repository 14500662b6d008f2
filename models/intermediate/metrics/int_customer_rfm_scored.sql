{#
    Recency, frequency and monetary quintiles (5 = best) for customers with a completed order,
    and the segment they put the customer in (docs/lifecycle-and-metrics.md).
#}
with

order_summary as (
    select * from {{ ref('int_customer_order_summary') }}
    where completed_order_count > 0
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

measured as (
    select
        order_summary.customer_id,
        {{ dbt.datediff('order_summary.last_order_at', 'as_of.as_of_date', 'day') }}
            as recency_days,
        order_summary.completed_order_count as frequency_order_count,
        order_summary.lifetime_revenue_usd as monetary_usd
    from order_summary
    cross join as_of
),

scored as (
    select
        *,
        ntile(5) over (order by recency_days desc, customer_id) as recency_score,
        ntile(5) over (order by frequency_order_count, monetary_usd, customer_id)
            as frequency_score,
        ntile(5) over (order by monetary_usd, customer_id) as monetary_score
    from measured
),

final as (
    select
        customer_id,
        recency_days,
        frequency_order_count,
        monetary_usd,
        recency_score,
        frequency_score,
        monetary_score,
        case
            when recency_score >= 4 and frequency_score >= 4 then 'champions'
            when recency_score >= 3 and frequency_score >= 3 then 'loyal'
            when recency_score >= 4 then 'promising'
            when recency_score <= 2 and frequency_score >= 4 then 'cannot_lose'
            when recency_score <= 2 and frequency_score >= 2 then 'at_risk'
            when recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment
    from scored
)

select * from final
