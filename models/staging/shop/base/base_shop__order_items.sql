{#- Typed rows of shop.order_items with a rejection reason; stg_shop__order_items keeps the valid ones. -#}
{%- set columns = [
    {'name': 'order_item_id', 'kind': 'text', 'required': true},
    {'name': 'order_id', 'kind': 'text', 'required': true},
    {'name': 'product_id', 'kind': 'text', 'required': true},
    {'name': 'product_name', 'kind': 'text'},
    {'name': 'category', 'kind': 'text'},
    {'name': 'quantity', 'kind': 'integer', 'required': true, 'min': 1},
    {'name': 'unit_price', 'kind': 'amount', 'required': true},
    {'name': 'discount_amount', 'kind': 'amount'},
    {'name': 'returned_quantity', 'kind': 'integer', 'min': 0},
] -%}

{{ typed_raw_rows(source('shop', 'order_items'), columns, record_key='order_item_id') }}
