{#
    The date the warehouse describes. The as_of_date var or CW_AS_OF_DATE when set
    (as_of_date_setting); otherwise the latest day any order or tracking event happened, so the
    same raw files always give the same marts.
#}
{%- set as_of_date = as_of_date_setting() %}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

latest_activity as (
    select max(ordered_at) as latest_at from orders
    union all
    select max(occurred_at) from web_events
),

{#- Always one row: an aggregate over latest_activity, whichever branch. -#}
final as (
    select
        {% if as_of_date %}
        max(cast('{{ as_of_date }}' as date)) as as_of_date
        {% else %}
        cast(max(latest_at) as date) as as_of_date
        {% endif %}
    from latest_activity
)

select * from final
