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
        {{ return({'channel': 'email', 'consent_purpose': 'marketing', 'key': 'customer_id',
                   'fields': ['customer_id'], 'holdout_share': 0, 'priority': 0,
                   'message_type': 'promotional'}) }}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.customer_warehouse.' ~ audience) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ " is listed in audience_names() but models/audiences/" ~ audience ~ ".sql does not exist.") }}
    {%- endif -%}
    {%- set meta = node.config.meta or node.meta -%}
    {%- set rules = audience_meta_rules() -%}
    {%- for required in ['channel', 'consent_purpose', 'key', 'fields', 'holdout_share', 'priority', 'message_type'] -%}
        {%- if meta.get(required) is none -%}
            {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": config meta has no '" ~ required ~ "' (see docs/audiences.md).") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if meta.channel not in rules.channels -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": unknown channel '" ~ meta.channel ~ "'; use one of " ~ rules.channels.keys() | list | join(', ') ~ ".") }}
    {%- endif -%}
    {%- if meta.consent_purpose not in rules.purposes -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": unknown consent_purpose '" ~ meta.consent_purpose ~ "'; use one of " ~ rules.purposes | join(', ') ~ ".") }}
    {%- endif -%}
    {%- if meta.message_type not in rules.message_types -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": unknown message_type '" ~ meta.message_type ~ "'; use one of " ~ rules.message_types | join(', ') ~ ".") }}
    {%- endif -%}
    {%- if not (meta.holdout_share >= 0 and meta.holdout_share < 1) -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": holdout_share must be at least 0 and below 1, not " ~ meta.holdout_share ~ ".") }}
    {%- endif -%}
    {%- if rules.channels[meta.channel] not in meta.fields -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": a " ~ meta.channel ~ " audience must export the field '" ~ rules.channels[meta.channel] ~ "'.") }}
    {%- endif -%}
    {%- if meta.channel == 'ads' and ('email' in meta.fields or 'phone' in meta.fields) -%}
        {{ exceptions.raise_compiler_error("Audience " ~ audience ~ ": an ads audience exports hashed_email only, never clear-text email or phone.") }}
    {%- endif -%}
    {{ return(meta) }}
{% endmacro %}

{#- Fails the build when an aud_* model exists that audience_names() does not list. -#}
{% macro check_audience_list() %}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.fqn[1] == 'audiences' and node.name not in audience_names() -%}
                {{ exceptions.raise_compiler_error("Audience model " ~ node.name ~ " is not listed in audience_names() (macros/audiences.sql): add it there so consent, suppression and caps apply to it.") }}
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

final as (
    select
        {%- for field in meta.fields %}
        {% if field == 'customer_id' -%}
        memberships.customer_id
        {%- elif field in contact_fields -%}
        memberships.contact_identifier as {{ field }}
        {%- elif field == 'hashed_email' -%}
        {{ sha256_hex('memberships.contact_identifier') }} as hashed_email
        {%- else -%}
        candidates.{{ field }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from memberships
    inner join candidates
        on memberships.customer_id = candidates.customer_id
)

select * from final
{% endmacro %}
