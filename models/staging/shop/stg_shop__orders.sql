{#- Incremental: re-stages only the keys touched by rows typed since the last build
    (macros/incremental.sql, docs/incremental-processing.md). -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=key_replace_strategy(),
    on_schema_change='fail',
) }}

with

orders as (
    select * from {{ ref('base_shop__orders') }}
    where rejection_reason is null
    {{- touched_keys_only('base_shop__orders', 'order_id') }}
),

currency_rates as (
    select * from {{ ref('currency_rates_usd') }}
),

default_phone_country as (
    select * from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'
),

-- The latest version of an order wins; exact duplicates collapse into one.
latest_versions as (
    {{ first_row_per_key('orders', "order_id", 'updated_at desc, source_file desc, raw_fingerprint desc') }}
),

final as (
    select
        latest_versions.order_id,
        latest_versions.account_id,
        latest_versions.email,
        {{ normalize_email('latest_versions.email') }} as email_normalized,
        {{ normalize_phone(
            'latest_versions.phone',
            'default_phone_country.calling_code',
            'default_phone_country.trunk_prefix'
        ) }} as phone_e164,
        lower(latest_versions.status) as order_status,
        latest_versions.currency as currency_code,
        {{ to_usd('latest_versions.subtotal_amount', 'currency_rates.usd_per_unit') }}
            as subtotal_usd,
        {{ to_usd('coalesce(latest_versions.discount_amount, 0)', 'currency_rates.usd_per_unit') }}
            as discount_usd,
        {{ to_usd('coalesce(latest_versions.shipping_amount, 0)', 'currency_rates.usd_per_unit') }}
            as shipping_usd,
        {{ to_usd('latest_versions.total_amount', 'currency_rates.usd_per_unit') }} as total_usd,
        {{ to_usd('coalesce(latest_versions.refunded_amount, 0)', 'currency_rates.usd_per_unit') }}
            as refunded_usd,
        {{ to_usd(
            'latest_versions.total_amount - coalesce(latest_versions.refunded_amount, 0)',
            'currency_rates.usd_per_unit'
        ) }} as net_revenue_usd,
        latest_versions.account_id is null as is_guest_checkout,
        lower(latest_versions.status) in ('paid', 'shipped', 'delivered', 'returned', 'refunded')
            as is_completed,
        latest_versions.ordered_at,
        latest_versions.updated_at,
        latest_versions.source_file,
        latest_versions.typed_at
    from latest_versions
    -- base_shop__orders rejects unknown currencies, so the inner join keeps every order
    inner join currency_rates
        on latest_versions.currency = currency_rates.currency_code
    left join default_phone_country on 1 = 1
)

select * from final
