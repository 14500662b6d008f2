with

profiles as (
    select * from {{ ref('int_customer_profiles') }}
),

order_summary as (
    select * from {{ ref('int_customer_order_summary') }}
),

engagement as (
    select * from {{ ref('int_customer_engagement') }}
),

relationship as (
    select * from {{ ref('int_customer_relationship_summary') }}
),

lifecycle_history as (
    select * from {{ ref('int_customer_lifecycle_history') }}
),

favourite_categories as (
    select * from {{ ref('int_customer_favourite_category') }}
),

scores as (
    select * from {{ ref('int_customer_scores') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

email_contactability as (
    select * from {{ ref('int_customer_contactability') }}
    where channel = 'email'
),

current_lifecycle as (
    select * from lifecycle_history
    where is_current
),

final as (
    select
        profiles.customer_id,
        erased_customers.customer_id is not null as is_erased,
        {#- Erased people keep their row (metrics stay whole) but lose every personal field. -#}
        {%- for attribute in [
            'email_normalized', 'phone_e164', 'first_name', 'last_name', 'date_of_birth',
            'address_line1', 'city', 'postcode'
        ] %}
        case when erased_customers.customer_id is null then profiles.{{ attribute }} end
            as {{ 'email' if attribute == 'email_normalized' else attribute }},
        {%- endfor %}
        profiles.country_code,
        profiles.acquisition_channel,
        profiles.first_seen_at,
        profiles.has_shop_account,
        profiles.source_record_count,
        coalesce(order_summary.order_count, 0) as order_count,
        coalesce(order_summary.completed_order_count, 0) as completed_order_count,
        order_summary.first_order_at,
        order_summary.last_order_at,
        coalesce(order_summary.lifetime_revenue_usd, 0) as lifetime_revenue_usd,
        case
            when order_summary.completed_order_count > 0
                then order_summary.lifetime_revenue_usd / order_summary.completed_order_count
        end as average_order_value_usd,
        coalesce(order_summary.refunded_order_count, 0) as refunded_order_count,
        coalesce(order_summary.refunded_usd, 0) as refunded_usd,
        favourite_categories.favourite_category,
        scores.purchase_cadence_days,
        coalesce(engagement.short_window_email_open_count, 0) as short_window_email_open_count,
        coalesce(engagement.short_window_email_click_count, 0) as short_window_email_click_count,
        coalesce(engagement.long_window_email_open_count, 0) as long_window_email_open_count,
        coalesce(engagement.long_window_email_click_count, 0) as long_window_email_click_count,
        engagement.last_email_engaged_at,
        coalesce(engagement.short_window_web_event_count, 0) as short_window_web_event_count,
        coalesce(engagement.long_window_web_event_count, 0) as long_window_web_event_count,
        coalesce(engagement.short_window_app_event_count, 0) as short_window_app_event_count,
        coalesce(engagement.long_window_app_event_count, 0) as long_window_app_event_count,
        engagement.last_web_seen_at,
        relationship.support_ticket_count,
        relationship.open_ticket_count,
        relationship.long_window_ticket_count,
        relationship.mean_resolution_hours,
        relationship.average_csat_score,
        relationship.latest_csat_score,
        relationship.latest_nps_score,
        relationship.latest_nps_category,
        relationship.latest_nps_responded_at,
        relationship.loyalty_tier,
        relationship.loyalty_points_balance,
        relationship.subscription_status,
        relationship.subscription_count,
        relationship.active_mrr_usd,
        relationship.company_name,
        relationship.company_industry,
        relationship.company_size,
        relationship.crm_lead_status,
        coalesce(current_lifecycle.lifecycle_stage, 'lead') as lifecycle_stage,
        current_lifecycle.valid_from_date as lifecycle_stage_since_date,
        scores.rfm_segment,
        scores.churn_risk_score,
        scores.churn_risk_band,
        scores.predicted_clv_usd,
        scores.probability_alive,
        scores.expected_purchase_count,
        scores.predicted_clv_decile,
        coalesce(email_contactability.is_contactable, false) as is_email_contactable
    from profiles
    left join order_summary on profiles.customer_id = order_summary.customer_id
    left join engagement on profiles.customer_id = engagement.customer_id
    left join relationship on profiles.customer_id = relationship.customer_id
    left join current_lifecycle on profiles.customer_id = current_lifecycle.customer_id
    left join favourite_categories on profiles.customer_id = favourite_categories.customer_id
    left join scores on profiles.customer_id = scores.customer_id
    left join erased_customers on profiles.customer_id = erased_customers.customer_id
    left join email_contactability on profiles.customer_id = email_contactability.customer_id
)

select * from final
