{#-
    The body of every stg_<source>__quarantined_rows model: the rejected rows of its base
    models, one shape for all (source_table is the base model name without `base_`).
-#}
{% macro quarantined_rows(base_models) %}
{%- for base_model in base_models %}
select
    '{{ base_model.replace("base_", "") }}' as source_table,
    source_file,
    record_key,
    rejection_reason,
    raw_row
from {{ ref(base_model) }}
where rejection_reason is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endmacro %}
