{#- New customers: welcome series. Business rule in int_aud_email_welcome_candidates. -#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 20,
    'holdout_share': 0.10,
    'key': 'customer_id',
    'fields': ['customer_id', 'email', 'first_name', 'first_order_at'],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
