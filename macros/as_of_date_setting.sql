{#-
    The as-of date a run was given: the as_of_date var, else the CW_AS_OF_DATE environment
    variable (what `cw run --as-of` sets), else '' (the data's latest day, int_as_of_date).
    The Dagster job passes the date through the environment, not --vars: dbt re-parses the
    whole project whenever its vars differ from the saved parse's, but only the files that read
    a changed environment variable (docs/orchestration-overhead.md, "One parse per run").
-#}
{% macro as_of_date_setting() %}
    {{- return(var('as_of_date') or env_var('CW_AS_OF_DATE', '')) -}}
{% endmacro %}
