{#
    An amount in its own currency to US dollars, rounded to cents. `usd_per_unit` is the rate
    column of the currency_rates_usd seed, joined by the caller on the row's currency (an
    import CTE plus a join keeps the dependency visible in the model). Null stays null.
#}
{% macro to_usd(amount, usd_per_unit) -%}
    cast(({{ amount }}) * {{ usd_per_unit }} as decimal(18, 2))
{%- endmacro %}
