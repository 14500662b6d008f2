{#- Typed rows of billing.subscriptions with a rejection reason; stg_billing__subscriptions keeps the valid ones. -#}
{%- set columns = [
    {'name': 'subscription_id', 'kind': 'text', 'required': true},
    {'name': 'account_id', 'kind': 'text', 'required': true},
    {'name': 'plan', 'kind': 'text', 'required': true},
    {'name': 'billing_period', 'kind': 'text'},
    {'name': 'mrr_amount', 'kind': 'amount', 'required': true},
    {'name': 'currency', 'kind': 'currency', 'required': true},
    {'name': 'status', 'kind': 'text', 'required': true, 'accepted': ['trialing', 'active', 'past_due', 'cancelled']},
    {'name': 'started_at', 'kind': 'timestamp', 'required': true},
    {'name': 'cancelled_at', 'kind': 'timestamp'},
] -%}

{{ typed_raw_rows(source('billing', 'subscriptions'), columns, record_key='subscription_id') }}
