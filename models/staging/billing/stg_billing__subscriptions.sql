with

subscriptions as (
    select * from {{ ref('base_billing__subscriptions') }}
    where rejection_reason is null
),

currency_rates as (
    select * from {{ ref('currency_rates_usd') }}
),

deduplicated as (
    {{ first_row_per_key('subscriptions', "subscription_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        deduplicated.subscription_id,
        deduplicated.account_id,
        lower(deduplicated.plan) as plan_name,
        lower(deduplicated.billing_period) as billing_period,
        {{ to_usd('deduplicated.mrr_amount', 'currency_rates.usd_per_unit') }} as mrr_usd,
        lower(deduplicated.status) as subscription_status,
        deduplicated.started_at,
        deduplicated.cancelled_at,
        deduplicated.source_file
    from deduplicated
    inner join currency_rates
        on deduplicated.currency = currency_rates.currency_code
)

select * from final
