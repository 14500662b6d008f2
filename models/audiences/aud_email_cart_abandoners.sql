{#- Cart and browse abandoners: reminder email. Rule in int_aud_email_cart_abandoners_candidates. -#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 10,
    'holdout_share': 0.10,
    'key': 'customer_id',
    'fields': ['customer_id', 'email', 'first_name', 'abandonment_type', 'abandoned_at'],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
