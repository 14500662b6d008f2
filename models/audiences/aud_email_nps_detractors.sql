{#-
    Service recovery for recent NPS detractors (latest score 0-6): a service message, sent under
    the service consent purpose, which pauses promotional email to them in the same run.
    Rule in int_aud_email_nps_detractors_candidates.
-#}
{{ config(meta={
    'channel': 'email',
    'consent_purpose': 'service',
    'message_type': 'service',
    'priority': 1,
    'holdout_share': 0.0,
    'key': 'customer_id',
    'fields': ['customer_id', 'email', 'first_name', 'nps_score', 'nps_responded_at'],
    'destination': 'email_service_provider',
}) }}

{{ audience_members() }}
