{#- Typed rows of consent.events with a rejection reason; stg_consent__events keeps the valid ones. -#}
{%- set columns = [
    {'name': 'consent_event_id', 'kind': 'text', 'required': true},
    {'name': 'identifier', 'kind': 'text', 'required': true},
    {'name': 'identifier_type', 'kind': 'text', 'required': true, 'accepted': ['email', 'phone', 'device_id']},
    {'name': 'channel', 'kind': 'text', 'required': true, 'accepted': ['email', 'sms', 'push', 'ads']},
    {'name': 'purpose', 'kind': 'text', 'required': true, 'accepted': ['marketing', 'personalization', 'service']},
    {'name': 'status', 'kind': 'text', 'required': true, 'accepted': ['granted', 'revoked']},
    {'name': 'occurred_at', 'kind': 'timestamp', 'required': true},
    {'name': 'source', 'kind': 'text'},
] -%}

{{ typed_raw_rows(source('consent', 'events'), columns, record_key='consent_event_id') }}
