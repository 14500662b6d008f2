{#-
    The audience framework. An audience is two models: its business rule,
    `int_<audience>_candidates` (customer_id plus the fields it exports, no contact data), and
    `models/audiences/<audience>.sql`, whose config meta describes it and whose body is
    `{{ audience_members() }}`. Everything between the two (consent per channel and purpose,
    global suppression, the message hierarchy, the frequency cap, holdouts) happens once, in
    int_audience_memberships, for every audience alike.
-#}

{#- Every audience, in one list: int_audience_memberships unions their candidates, the
    audience data test checks their members. An aud_* model missing here fails the build. -#}
{% macro audience_names() %}
    {{ return([
        'aud_email_nps_detractors',
        'aud_email_welcome',
        'aud_email_replenishment_due',
        'aud_email_cart_abandoners',
        'aud_email_churn_risk_save',
        'aud_email_winback',
        'aud_ads_vip',
    ]) }}
{% endmacro %}

{#- Allowed meta values; the export step checks the same (orchestration/exports.py). -#}
{% macro audience_meta_rules() %}
    {{ return({
        'channels': {'email': 'email', 'sms': 'phone', 'push': 'device_id', 'ads': 'hashed_email'},
        'purposes': ['marketing', 'personalization', 'service'],
        'message_types': ['promotional', 'service'],
    }) }}
{% endmacro %}

{#-
    The meta of an audience model, validated: channel, consent_purpose, key, fields,
    holdout_share, priority and message_type must be present and valid, or the build stops with
    a message naming the audience and the value. Read from the graph, so only at execution;
    at parse time it returns placeholders.
-#}
{% macro audience_meta(audience) %}
    {%- if not execute -%}
        {{ return({
            'channel': 'email', 'consent_purpose': 'marketing', 'key': 'customer_id',
            'fields': ['customer_id'], 'holdout_share': 0, 'priority': 0,
            'message_type': 'promotional',
        }) }}
    {%- endif -%}
    {%- set where = 'Audience ' ~ audience ~ ' (meta in models/audiences/' ~ audience ~ '.sql)' -%}
    {%- set node = graph.nodes.get('model.customer_warehouse.' ~ audience) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error(
            where ~ ': listed in audience_names() but the model does not exist.'
        ) }}
    {%- endif -%}
    {%- set meta = node.config.meta or node.meta -%}
    {%- set rules = audience_meta_rules() -%}
    {%- set required = [
        'channel', 'consent_purpose', 'key', 'fields', 'holdout_share', 'priority', 'message_type',
    ] -%}
    {%- for name in required -%}
        {%- if meta.get(name) is none -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": missing '" ~ name ~ "'; see docs/audiences.md."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set allowed = [
        ('channel', rules.channels.keys() | list),
        ('consent_purpose', rules.purposes),
        ('message_type', rules.message_types),
    ] -%}
    {%- for name, values in allowed -%}
        {%- if meta[name] not in values -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": unknown " ~ name ~ " '" ~ meta[name] ~ "'; use one of "
                ~ values | join(', ') ~ "."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not (meta.holdout_share >= 0 and meta.holdout_share < 1) -%}
        {{ exceptions.raise_compiler_error(
            where ~ ': holdout_share must be in [0, 1), not ' ~ meta.holdout_share ~ '.'
        ) }}
    {%- endif -%}
    {%- set identifier_field = rules.channels[meta.channel] -%}
    {%- if identifier_field not in meta.fields -%}
        {{ exceptions.raise_compiler_error(
            where ~ ': a ' ~ meta.channel ~ " audience must export '" ~ identifier_field ~ "'."
        ) }}
    {%- endif -%}
    {%- if meta.channel == 'ads' and ('email' in meta.fields or 'phone' in meta.fields) -%}
        {{ exceptions.raise_compiler_error(
            where ~ ': ads audiences export hashes, never clear-text email or phone.'
        ) }}
    {%- endif -%}
    {{ return(meta) }}
{% endmacro %}

{#- Fails the build when an aud_* model exists that audience_names() does not list. -#}
{% macro check_audience_list() %}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- set is_audience = node.resource_type == 'model' and node.fqn[1] == 'audiences' -%}
            {%- if is_audience and node.name not in audience_names() -%}
                {{ exceptions.raise_compiler_error(
                    'Audience model ' ~ node.name ~ ' is not listed in audience_names()'
                    ~ ' (macros/audiences.sql): add it so the central rules apply to it.'
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#-
    A stable pseudo-random number in [0, 1) for a string: the first 8 hex digits of its MD5
    (dbt.hash) read as an integer, divided by 16^8. The same input always gives the same bucket,
    on any engine.
-#}
{% macro hash_bucket(expression) %}
    ({{ hex8_to_bigint('substring(' ~ dbt.hash(expression) ~ ', 1, 8)') }} / 4294967296.0)
{% endmacro %}

{% macro hex8_to_bigint(expression) %}
    {{ return(adapter.dispatch('hex8_to_bigint', 'customer_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__hex8_to_bigint(expression) -%}
    cast(cast({{ dbt.concat(["'0x'", expression]) }} as ubigint) as bigint)
{%- endmacro %}

{% macro default__hex8_to_bigint(expression) -%}
    cast(conv({{ expression }}, 16, 10) as bigint)
{%- endmacro %}

{#-
    The body of an audience model: its members selected for contact (membership_status
    'treatment') with the fields its meta names. Contact fields come from the central
    membership (the consented identifier, or its SHA-256 for ads); every other field from the
    audience's candidates model.
-#}
{% macro audience_members() %}
    {%- set audience = model.name -%}
    {%- set meta = audience_meta(audience) -%}
    {%- set contact_fields = ['email', 'phone', 'device_id'] -%}

with

memberships as (
    select * from {{ ref('int_audience_memberships') }}
    where audience = '{{ audience }}' and membership_status = 'treatment'
),

candidates as (
    select * from {{ ref('int_' ~ audience ~ '_candidates') }}
),

{#- Phones for ads audiences that export hashed_phone. Declared for every audience, so dbt sees
    the refs at parse time, when meta is not known yet; unused CTEs cost nothing.
    A phone is matched on only when it links records (no shared or junk number, which would
    match someone else on the platform) and has not itself been refused for this channel. #}
linkable_phones as (
    select
        customer_id,
        min(identifier_value) as phone_e164
    from {{ ref('customer_identifiers') }}
    where identifier_type = 'phone' and is_used_for_linking
    group by 1
),

phone_consents as (
    select * from {{ ref('int_identifier_consent_latest') }}
    where
        identifier_type = 'phone'
        and channel = '{{ meta.channel }}'
        and purpose = '{{ meta.consent_purpose }}'
),

phones as (
    select
        linkable_phones.customer_id,
        linkable_phones.phone_e164
    from linkable_phones
    left join phone_consents
        on linkable_phones.phone_e164 = phone_consents.identifier_value
    where coalesce(phone_consents.is_granted, true)
),

final as (
    select
        {%- for field in meta.fields %}
        {% if field == 'customer_id' -%}
        memberships.customer_id
        {%- elif field in contact_fields -%}
        memberships.contact_identifier as {{ field }}
        {%- elif field == 'hashed_email' -%}
        {{ sha256_hex('memberships.contact_identifier') }} as hashed_email
        {%- elif field == 'hashed_phone' -%}
        {#- E.164 with its "+", the customer-match format of the ad platforms. -#}
        {{ sha256_hex('phones.phone_e164') }} as hashed_phone
        {%- else -%}
        candidates.{{ field }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from memberships
    inner join candidates
        on memberships.customer_id = candidates.customer_id
    {%- if 'hashed_phone' in meta.fields %}
    left join phones
        on memberships.customer_id = phones.customer_id
    {%- endif %}
)

select * from final
{% endmacro %}
