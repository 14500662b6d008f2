{#- VIP: the best customers by RFM (champions and loyal). -#}
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        customer_id,
        rfm_segment
    from customers
    where rfm_segment in ('champions', 'loyal')
)

select * from final
