{#
    Fails once per combination of `columns` that appears on more than one row: the grain test
    for models whose key spans several columns.
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(", ") }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1

{% endtest %}
