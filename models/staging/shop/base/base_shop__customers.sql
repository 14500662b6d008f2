{#- Typed rows of shop.customers with a rejection reason; stg_shop__customers keeps the valid ones. -#}
{%- set columns = [
    {'name': 'account_id', 'kind': 'text', 'required': true},
    {'name': 'email', 'kind': 'email'},
    {'name': 'phone', 'kind': 'text'},
    {'name': 'first_name', 'kind': 'text'},
    {'name': 'last_name', 'kind': 'text'},
    {'name': 'address_line1', 'kind': 'text'},
    {'name': 'city', 'kind': 'text'},
    {'name': 'postcode', 'kind': 'text'},
    {'name': 'country_code', 'kind': 'country'},
    {'name': 'date_of_birth', 'kind': 'date'},
    {'name': 'acquisition_channel', 'kind': 'text'},
    {'name': 'created_at', 'kind': 'timestamp', 'required': true},
    {'name': 'updated_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('shop', 'customers'), columns, record_key='account_id', version_column='updated_at') }}
