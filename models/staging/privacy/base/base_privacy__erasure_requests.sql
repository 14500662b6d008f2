{#- Typed rows of privacy.erasure_requests with a rejection reason; stg_privacy__erasure_requests keeps the valid ones. -#}
{%- set columns = [
    {'name': 'erasure_request_id', 'kind': 'text', 'required': true},
    {'name': 'identifier', 'kind': 'text', 'required': true},
    {'name': 'identifier_type', 'kind': 'text', 'required': true, 'accepted': ['email', 'phone', 'account_id']},
    {'name': 'requested_at', 'kind': 'timestamp', 'required': true},
    {'name': 'source', 'kind': 'text'},
] -%}

{{ typed_raw_rows(source('privacy', 'erasure_requests'), columns, record_key='erasure_request_id') }}
