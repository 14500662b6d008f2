{#- At-risk and churned customers: win-back offer. Rule in int_aud_email_winback_candidates. -#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 40,
    'holdout_share': 0.10,
    'key': 'customer_id',
    'fields': [
        'customer_id', 'email', 'first_name', 'lifecycle_stage', 'last_order_at',
        'lifetime_revenue_usd',
    ],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
