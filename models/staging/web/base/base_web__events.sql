{#- Typed rows of web.events with a rejection reason; stg_web__events keeps the valid ones. -#}
{%- set columns = [
    {'name': 'event_id', 'kind': 'text', 'required': true},
    {'name': 'anonymous_id', 'kind': 'text', 'required': true},
    {'name': 'user_id', 'kind': 'text'},
    {'name': 'event_name', 'kind': 'text', 'required': true, 'accepted': ['page_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed', 'search', 'login', 'signup', 'newsletter_signup', 'app_open']},
    {'name': 'platform', 'kind': 'text'},
    {'name': 'page_url', 'kind': 'text'},
    {'name': 'properties', 'kind': 'text'},
    {'name': 'occurred_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('web', 'events'), columns, record_key='event_id') }}
