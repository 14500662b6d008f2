{#- Typed rows of marketing.spend with a rejection reason; stg_marketing__spend keeps the valid ones. -#}
{%- set columns = [
    {'name': 'spend_date', 'kind': 'date', 'required': true},
    {'name': 'channel', 'kind': 'text', 'required': true},
    {'name': 'spend_amount', 'kind': 'amount', 'required': true},
    {'name': 'currency', 'kind': 'currency', 'required': true},
] -%}

{{ typed_raw_rows(source('marketing', 'spend'), columns, record_key=['spend_date', 'channel'],
    duplicate_key=['spend_date', 'lower(channel)']) }}
