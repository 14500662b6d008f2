{#- VIP: the best customers by RFM (champions and loyal) or by predicted CLV (top tenth). -#}
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        customer_id,
        rfm_segment,
        predicted_clv_decile
    from customers
    where
        rfm_segment in ('champions', 'loyal')
        or predicted_clv_decile = 1
)

select * from final
