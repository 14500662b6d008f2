with

campaigns as (
    select * from {{ ref('base_marketing__campaigns') }}
    where rejection_reason is null
),

currency_rates as (
    select * from {{ ref('currency_rates_usd') }}
),

deduplicated as (
    {{ first_row_per_key('campaigns', "campaign_id", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        deduplicated.campaign_id,
        lower(deduplicated.channel) as channel,
        deduplicated.campaign_name,
        deduplicated.sent_at,
        coalesce(
            {{ to_usd('deduplicated.cost_amount', 'currency_rates.usd_per_unit') }}, 0
        ) as cost_usd,
        deduplicated.source_file
    from deduplicated
    -- a campaign without a cost has no currency: it keeps its row with cost_usd 0
    left join currency_rates
        on deduplicated.currency = currency_rates.currency_code
)

select * from final
