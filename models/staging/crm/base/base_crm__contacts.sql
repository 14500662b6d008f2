{#- Typed rows of crm.contacts with a rejection reason; stg_crm__contacts keeps the valid ones. -#}
{%- set columns = [
    {'name': 'contact_id', 'kind': 'text', 'required': true},
    {'name': 'email', 'kind': 'email'},
    {'name': 'phone', 'kind': 'text'},
    {'name': 'first_name', 'kind': 'text'},
    {'name': 'last_name', 'kind': 'text'},
    {'name': 'company_name', 'kind': 'text'},
    {'name': 'industry', 'kind': 'text'},
    {'name': 'company_size', 'kind': 'text'},
    {'name': 'lead_source', 'kind': 'text'},
    {'name': 'lead_status', 'kind': 'text'},
    {'name': 'owner_email', 'kind': 'email'},
    {'name': 'created_at', 'kind': 'timestamp', 'required': true},
    {'name': 'updated_at', 'kind': 'timestamp', 'required': true},
] -%}

{{ typed_raw_rows(source('crm', 'contacts'), columns, record_key='contact_id', version_column='updated_at') }}
