{#-
    Customers likely to stop buying, before they do: a save offer. Ahead of win-back in priority
    (an at-risk customer with a high score gets the save message, not both). Rule in
    int_aud_email_churn_risk_save_candidates.
-#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 35,
    'holdout_share': 0.10,
    'key': 'customer_id',
    'fields': [
        'customer_id', 'email', 'first_name', 'lifecycle_stage', 'churn_risk_score',
        'predicted_clv_usd',
    ],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
