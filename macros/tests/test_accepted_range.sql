{#
    Fails on every row whose value lies outside [min_value, max_value] (either bound optional;
    `inclusive: false` makes both bounds strict). Nulls pass: pair with not_null when needed.
    Our own small version because dbt deps cannot reach the package hub for dbt_utils.
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- set lower_op = ">=" if inclusive else ">" -%}
{%- set upper_op = "<=" if inclusive else "<" -%}

with

checked as (
    select {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null
)

select checked_value
from checked
where
    1 = 0
    {%- if min_value is not none %}
    or not (checked_value {{ lower_op }} {{ min_value }})
    {%- endif %}
    {%- if max_value is not none %}
    or not (checked_value {{ upper_op }} {{ max_value }})
    {%- endif %}

{% endtest %}
