with

spend as (
    select * from {{ ref('base_marketing__spend') }}
    where rejection_reason is null
),

currency_rates as (
    select * from {{ ref('currency_rates_usd') }}
),

-- A later file restating a day's spend for a channel replaces the earlier figure.
latest_statements as (
    {{ first_row_per_key('spend', "spend_date, lower(channel)", 'source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        {{ dbt.concat([
            "cast(latest_statements.spend_date as " ~ dbt.type_string() ~ ")",
            "'|'",
            "lower(latest_statements.channel)",
        ]) }} as marketing_spend_id,
        latest_statements.spend_date,
        lower(latest_statements.channel) as channel,
        {{ to_usd('latest_statements.spend_amount', 'currency_rates.usd_per_unit') }} as spend_usd,
        latest_statements.source_file
    from latest_statements
    inner join currency_rates
        on latest_statements.currency = currency_rates.currency_code
)

select * from final
