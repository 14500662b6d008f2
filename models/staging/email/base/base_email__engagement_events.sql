{#- Typed rows of email.engagement_events with a rejection reason; stg_email__engagement_events keeps the valid ones. -#}
{%- set columns = [
    {'name': 'email_event_id', 'kind': 'text', 'required': true},
    {'name': 'campaign_id', 'kind': 'text', 'required': true},
    {'name': 'email', 'kind': 'email', 'required': true},
    {'name': 'event_type', 'kind': 'text', 'required': true, 'accepted': ['sent', 'delivered', 'open', 'click', 'bounce', 'unsubscribe', 'spam_complaint']},
    {'name': 'bounce_type', 'kind': 'text'},
    {'name': 'url', 'kind': 'text'},
    {'name': 'occurred_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('email', 'engagement_events'), columns, record_key='email_event_id') }}
