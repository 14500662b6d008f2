{#- Typed rows of shop.orders with a rejection reason; stg_shop__orders keeps the valid ones. -#}
{%- set columns = [
    {'name': 'order_id', 'kind': 'text', 'required': true},
    {'name': 'account_id', 'kind': 'text'},
    {'name': 'email', 'kind': 'email'},
    {'name': 'phone', 'kind': 'text'},
    {'name': 'status', 'kind': 'text', 'required': true, 'accepted': ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned', 'refunded']},
    {'name': 'currency', 'kind': 'currency', 'required': true},
    {'name': 'subtotal_amount', 'kind': 'amount', 'required': true},
    {'name': 'discount_amount', 'kind': 'amount'},
    {'name': 'shipping_amount', 'kind': 'amount'},
    {'name': 'total_amount', 'kind': 'amount', 'required': true},
    {'name': 'refunded_amount', 'kind': 'amount'},
    {'name': 'ordered_at', 'kind': 'timestamp', 'required': true},
    {'name': 'updated_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('shop', 'orders'), columns, record_key='order_id', version_column='updated_at') }}
