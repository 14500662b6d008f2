{#- The median of a numeric expression, as an aggregate. -#}
{% macro median_value(expression) %}
    {{ return(adapter.dispatch('median_value', 'customer_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__median_value(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro default__median_value(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}


{#-
    The lifecycle stage on a date, from the state after the customer's latest order day on or
    before it. One definition for the history, the month ends and the churn-risk signals, so they
    cannot disagree. Expects in scope: first_order_date, last_order_date (null: no order yet),
    at_risk_after_days, churned_after_days, is_last_order_reactivation.
-#}
{% macro lifecycle_stage(on_date) -%}
    case
        when last_order_date is null then 'lead'
        when {{ dbt.datediff('last_order_date', on_date, 'day') }} > churned_after_days
            then 'churned'
        when {{ dbt.datediff('last_order_date', on_date, 'day') }} > at_risk_after_days
            then 'at_risk'
        when {{ dbt.datediff('first_order_date', on_date, 'day') }}
            <= {{ var('lifecycle_new_customer_days') }} then 'new'
        when is_last_order_reactivation then 'reactivated'
        else 'active'
    end
{%- endmacro %}
