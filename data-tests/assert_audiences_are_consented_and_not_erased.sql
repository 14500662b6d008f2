{{ config(meta={"dagster": {"ref": {"name": "int_customer_contactability_by_purpose"}}}) }}
{#-
    No audience may hold a customer who is erased, suppressed or not contactable on the
    audience's channel for its consent purpose, nor an identifier other than the consented one,
    nor a member of the audience's control group. Every audience of audience_names() is checked,
    with the channel and purpose of its config meta. Fails with one row per offending member.
-#}
{%- set identifier_columns = audience_meta_rules().channels %}

with

contactability as (
    select * from {{ ref('int_customer_contactability_by_purpose') }}
),

suppressions as (
    select * from {{ ref('int_customer_suppressions') }}
),

memberships as (
    select * from {{ ref('int_audience_memberships') }}
),

members as (
    {%- for audience in audience_names() %}
    {%- set meta = audience_meta(audience) %}
    {%- set identifier_column = identifier_columns[meta.channel] %}
    select
        '{{ audience }}' as audience,
        '{{ meta.channel }}' as channel,
        '{{ meta.consent_purpose }}' as consent_purpose,
        customer_id,
        {{ identifier_column }} as exported_identifier,
        {{ 'true' if identifier_column.startswith('hashed') else 'false' }} as is_hashed
    from {{ ref(audience) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        members.audience,
        members.customer_id,
        case
            when suppressions.customer_id is not null
                then {{ dbt.concat(["suppressions.suppression_reason", "' customer exported'"]) }}
            when contactability.is_contactable is null or not contactability.is_contactable
                then 'customer not contactable on the channel for the purpose'
            when members.is_hashed
                and members.exported_identifier <> {{ sha256_hex('contactability.contact_identifier') }}
                then 'hash of an identifier without consent'
            when not members.is_hashed
                and members.exported_identifier <> contactability.contact_identifier
                then 'identifier without consent exported'
            when memberships.membership_status is null or memberships.membership_status <> 'treatment'
                then 'member not in the treatment group'
        end as problem
    from members
    left join suppressions
        on members.customer_id = suppressions.customer_id
    left join contactability
        on members.customer_id = contactability.customer_id
        and members.channel = contactability.channel
        and members.consent_purpose = contactability.purpose
    left join memberships
        on members.audience = memberships.audience
        and members.customer_id = memberships.customer_id
)

select * from final
where problem is not null
