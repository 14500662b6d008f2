{#
    Fails when more than `max_share` (default: the max_rejected_share var) of a base model's rows
    carry a rejection reason. A few bad rows are quarantined and the run goes on; a raw file that
    is mostly bad (a broken export, a changed format) stops the build.
#}
{% test quarantined_share_within_limit(model, max_share=none) %}
{%- set limit = max_share if max_share is not none else var('max_rejected_share') -%}

with

row_counts as (
    select
        count(*) as row_count,
        sum(case when rejection_reason is not null then 1 else 0 end) as quarantined_count
    from {{ model }}
)

select
    row_count,
    quarantined_count,
    'more than {{ limit }} of the rows are quarantined; see the quarantined_rows model' as problem
from row_counts
where quarantined_count > {{ limit }} * row_count

{% endtest %}
