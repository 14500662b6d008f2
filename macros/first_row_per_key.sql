{#-
    One row per key of `relation`: the first by `order_by` (the latest version of a record, or
    one of its exact duplicates). The body of every staging dedupe step.
-#}
{% macro first_row_per_key(relation, partition_by, order_by) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ partition_by }} order by {{ order_by }}
            ) as row_rank_in_key
        from {{ relation }}
    ) as ranked
    where row_rank_in_key = 1
{%- endmacro %}
