{#-
    Customers due to reorder a category they buy regularly.
    Rule in int_aud_email_replenishment_due_candidates.
-#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 30,
    'holdout_share': 0.10,
    'key': 'customer_id',
    'fields': [
        'customer_id', 'email', 'first_name', 'replenishment_category', 'last_purchased_date',
        'reorder_interval_days', 'interval_basis',
    ],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
