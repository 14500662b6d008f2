{#- Welcome: customers whose first completed order is recent (lifecycle stage new). -#}
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        customer_id,
        first_name,
        first_order_at
    from customers
    where lifecycle_stage = 'new'
)

select * from final
