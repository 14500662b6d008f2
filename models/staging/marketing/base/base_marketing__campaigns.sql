{#- Typed rows of marketing.campaigns with a rejection reason; stg_marketing__campaigns keeps the valid ones. -#}
{%- set columns = [
    {'name': 'campaign_id', 'kind': 'text', 'required': true},
    {'name': 'channel', 'kind': 'text', 'required': true, 'accepted': ['email', 'sms', 'push', 'ads']},
    {'name': 'campaign_name', 'kind': 'text'},
    {'name': 'sent_at', 'kind': 'timestamp'},
    {'name': 'cost_amount', 'kind': 'amount'},
    {'name': 'currency', 'kind': 'currency', 'required_with': 'cost_amount'},
] -%}

{{ typed_raw_rows(source('marketing', 'campaigns'), columns, record_key='campaign_id') }}
