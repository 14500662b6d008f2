{#- Win-back: customers who stopped buying (lifecycle stage at_risk or churned). -#}
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        customer_id,
        first_name,
        lifecycle_stage,
        last_order_at,
        lifetime_revenue_usd
    from customers
    where lifecycle_stage in ('at_risk', 'churned')
)

select * from final
