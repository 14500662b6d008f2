{#- Typed rows of loyalty.members with a rejection reason; stg_loyalty__members keeps the valid ones. -#}
{%- set columns = [
    {'name': 'loyalty_id', 'kind': 'text', 'required': true},
    {'name': 'email', 'kind': 'email'},
    {'name': 'phone', 'kind': 'text'},
    {'name': 'tier', 'kind': 'text'},
    {'name': 'points_balance', 'kind': 'integer'},
    {'name': 'joined_at', 'kind': 'timestamp', 'required': true},
    {'name': 'updated_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('loyalty', 'members'), columns, record_key='loyalty_id', version_column='updated_at') }}
