{#
    Email: trimmed and lowercased; the +tag removed from the local part (var
    email_strip_plus_tags); for the providers in the email_dot_insensitive_domains var dots
    removed as well and the domain folded into the first one listed, because those providers
    deliver all such spellings to one inbox (Gmail: j.doe@googlemail.com is jdoe@gmail.com).
    Null when it is not shaped like an address.
#}
{% macro normalize_email(column) %}
    {%- set email = "lower(trim(" ~ column ~ "))" -%}
    {%- set local_part = email_local_part(email) -%}
    {%- set domain = dbt.split_part(email, "'@'", 2) -%}
    {%- set dotless_domains = var('email_dot_insensitive_domains', ['gmail.com', 'googlemail.com']) -%}
    case
        when {{ is_unnormalizable_email(email) }} then null
        {%- if dotless_domains %}
        when {{ domain }} in ('{{ dotless_domains | join("', '") }}')
            then replace({{ local_part }}, '.', '') || '@{{ dotless_domains[0] }}'
        {%- endif %}
        else {{ local_part }} || '@' || {{ domain }}
    end
{%- endmacro %}


{#-
    True when normalize_email gives null for a non-null email; `email` must already be trimmed
    and lowercased. The base models check it on a column lowercased once: spelled out in the
    check, `lower(trim(...))` ran once per condition, a minute per 6 million rows.
-#}
{% macro is_unnormalizable_email(email) -%}
    ({{ email }} not like '%_@_%._%' or {{ email }} like '%@%@%' or {{ email }} like '% %'
        or {{ email_local_part(email) }} = '')
{%- endmacro %}


{#- The local part of a trimmed, lowercased email, without its +tag (var email_strip_plus_tags). -#}
{% macro email_local_part(email) -%}
    {%- set local_part = dbt.split_part(email, "'@'", 1) -%}
    {%- if var('email_strip_plus_tags', true) -%}
        {%- set local_part = dbt.split_part(local_part, "'+'", 1) -%}
    {%- endif -%}
    {{ local_part }}
{%- endmacro %}


{#
    Phone to E.164 ('+' and 8 to 15 digits).
    - A leading + or 00 means the number is international: its digits are kept as written.
    - Otherwise it is national: the trunk prefix (seed country_calling_codes, e.g. 0 in GB and
      DE, 1 in the NANP) is dropped when the number starts with it, and the calling code is
      prefixed. The caller joins the seed on the row's country, else on the
      default_phone_country var, and passes both columns.
    - "+44 (0)20 ..." style optional trunk digits are ignored.
    Null when fewer than 8 digits were written, when the result has more than 15 digits or
    starts with 0, or when the country has no calling code in the seed.
#}
{% macro normalize_phone(column, calling_code, trunk_prefix="'0'", country_code="null") %}
    {{ return(adapter.dispatch('normalize_phone', 'customer_warehouse')(
        column, calling_code, trunk_prefix, country_code)) }}
{% endmacro %}

{#-
    DuckDB: libphonenumber through the cw_phone_e164 function that profiles.yml registers
    (orchestration/duckdb_functions.py): it knows every country's lengths, trunk and
    international prefixes, extensions and vanity numbers where the SQL below has to guess.
    Given the row's ISO country (country_code), it reads national numbers of any country
    libphonenumber knows, seeded or not.
-#}
{% macro duckdb__normalize_phone(column, calling_code, trunk_prefix, country_code) -%}
    cw_phone_e164({{ column }}, {{ calling_code }}, {{ country_code }})
{%- endmacro %}

{#- Elsewhere (Spark): the portable SQL rules described above. -#}
{% macro default__normalize_phone(column, calling_code, trunk_prefix, country_code) %}
    {%- set written = "replace(trim(" ~ column ~ "), '(0)', '')" -%}
    {%- set digits = digits_only(written) -%}
    {%- set trunk = "coalesce(" ~ trunk_prefix ~ ", '')" -%}
    {%- set e164_digits -%}
        case
            when {{ written }} like '+%' then {{ digits }}
            when {{ digits }} like '00%' then substr({{ digits }}, 3)
            when {{ trunk }} <> '' and {{ digits }} like ({{ trunk }} || '%')
                then {{ calling_code }} || substr({{ digits }}, length({{ trunk }}) + 1)
            else {{ calling_code }} || {{ digits }}
        end
    {%- endset -%}
    case
        when {{ digits }} is null or length({{ digits }}) < 8 then null
        when length({{ e164_digits }}) between 8 and 15 and {{ e164_digits }} not like '0%'
            then '+' || {{ e164_digits }}
    end
{%- endmacro %}


{#- Names compared across systems: trimmed, lowercased, accents removed, inner spaces collapsed. -#}
{% macro normalize_name(column) %}
    {{ return(adapter.dispatch('normalize_name', 'customer_warehouse')(column)) }}
{% endmacro %}

{% macro duckdb__normalize_name(column) -%}
    nullif(regexp_replace(lower(strip_accents(trim({{ column }}))), '\s+', ' ', 'g'), '')
{%- endmacro %}

{% macro default__normalize_name(column) -%}
    nullif(regexp_replace(lower(trim({{ column }})), '\\s+', ' '), '')
{%- endmacro %}


{#- Similarity of two names in [0, 1] (Jaro-Winkler on DuckDB; Levenshtein-based elsewhere). -#}
{% macro name_similarity(left, right) %}
    {{ return(adapter.dispatch('name_similarity', 'customer_warehouse')(left, right)) }}
{% endmacro %}

{% macro duckdb__name_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro default__name_similarity(left, right) -%}
    1.0 - levenshtein({{ left }}, {{ right }}) / greatest(length({{ left }}), length({{ right }}))
{%- endmacro %}
