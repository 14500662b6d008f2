{#- Typed rows of surveys.nps_responses with a rejection reason; stg_surveys__nps_responses keeps the valid ones. -#}
{%- set columns = [
    {'name': 'response_id', 'kind': 'text', 'required': true},
    {'name': 'email', 'kind': 'email', 'required': true},
    {'name': 'score', 'kind': 'integer', 'required': true, 'min': 0, 'max': 10},
    {'name': 'comment', 'kind': 'text'},
    {'name': 'responded_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('surveys', 'nps_responses'), columns, record_key='response_id') }}
