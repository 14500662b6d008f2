with

rfm as (
    select * from {{ ref('int_customer_rfm_scored') }}
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
        {{ dbt.concat([
            "cast(recency_score as " ~ dbt.type_string() ~ ")",
            "cast(frequency_score as " ~ dbt.type_string() ~ ")",
            "cast(monetary_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_cell,
        rfm_segment
    from rfm
)

select * from final
