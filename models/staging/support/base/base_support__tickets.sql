{#- Typed rows of support.tickets with a rejection reason; stg_support__tickets keeps the valid ones. -#}
{%- set columns = [
    {'name': 'ticket_id', 'kind': 'text', 'required': true},
    {'name': 'requester_email', 'kind': 'email', 'required': true},
    {'name': 'requester_phone', 'kind': 'text'},
    {'name': 'channel', 'kind': 'text'},
    {'name': 'priority', 'kind': 'text'},
    {'name': 'status', 'kind': 'text', 'required': true, 'accepted': ['open', 'pending', 'solved', 'closed']},
    {'name': 'subject', 'kind': 'text'},
    {'name': 'created_at', 'kind': 'timestamp', 'required': true},
    {'name': 'first_response_at', 'kind': 'timestamp'},
    {'name': 'resolved_at', 'kind': 'timestamp'},
    {'name': 'csat_score', 'kind': 'integer', 'min': 1, 'max': 5},
] -%}

{{ typed_raw_rows(source('support', 'tickets'), columns, record_key='ticket_id') }}
