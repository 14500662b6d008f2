{#
    Customer acquisition cost per channel and month: spend over the customers whose first
    completed order fell in that month and whose signup channel is that channel; LTV:CAC compares
    those customers' revenue to date with what acquiring them cost.
#}
with

spend as (
    select * from {{ ref('stg_marketing__spend') }}
),

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

order_summary as (
    select * from {{ ref('int_customer_order_summary') }}
    where completed_order_count > 0
),

monthly_spend as (
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as acquisition_month,
        channel,
        sum(spend_usd) as spend_usd
    from spend
    group by 1, 2
),

acquired_customers as (
    select
        cast({{ dbt.date_trunc('month', 'order_summary.first_order_at') }} as date)
            as acquisition_month,
        coalesce(customers.acquisition_channel, 'unknown') as channel,
        count(*) as new_customer_count,
        sum(order_summary.lifetime_revenue_usd) as lifetime_revenue_usd
    from order_summary
    inner join customers
        on order_summary.customer_id = customers.customer_id
    group by 1, 2
),

final as (
    select
        {{ dbt.concat([
            "cast(coalesce(monthly_spend.acquisition_month, acquired_customers.acquisition_month) as "
                ~ dbt.type_string() ~ ")",
            "'|'",
            "coalesce(monthly_spend.channel, acquired_customers.channel)",
        ]) }} as channel_month_id,
        coalesce(monthly_spend.acquisition_month, acquired_customers.acquisition_month)
            as acquisition_month,
        coalesce(monthly_spend.channel, acquired_customers.channel) as channel,
        coalesce(monthly_spend.spend_usd, 0) as spend_usd,
        coalesce(acquired_customers.new_customer_count, 0) as new_customer_count,
        case when acquired_customers.new_customer_count > 0
            then monthly_spend.spend_usd / acquired_customers.new_customer_count
        end as cac_usd,
        case when acquired_customers.new_customer_count > 0
            then acquired_customers.lifetime_revenue_usd / acquired_customers.new_customer_count
        end as average_lifetime_revenue_usd,
        case when monthly_spend.spend_usd > 0
            then cast(acquired_customers.lifetime_revenue_usd / monthly_spend.spend_usd as double)
        end as ltv_to_cac_ratio
    from monthly_spend
    full outer join acquired_customers
        on monthly_spend.acquisition_month = acquired_customers.acquisition_month
        and monthly_spend.channel = acquired_customers.channel
)

select * from final
