{#
    Email: trimmed and lowercased; the +tag removed from the local part; for Gmail
    (gmail.com, googlemail.com) dots removed as well and the domain unified, because Gmail
    delivers all those spellings to one inbox. Null when it is not shaped like an address.
#}
{% macro normalize_email(column) %}
    {%- set email = "lower(trim(" ~ column ~ "))" -%}
    {%- set local_part = dbt.split_part(dbt.split_part(email, "'@'", 1), "'+'", 1) -%}
    {%- set domain = dbt.split_part(email, "'@'", 2) -%}
    case
        when {{ email }} not like '%_@_%._%' or {{ email }} like '%@%@%' or {{ email }} like '% %'
            then null
        when {{ domain }} in ('gmail.com', 'googlemail.com')
            then replace({{ local_part }}, '.', '') || '@gmail.com'
        else {{ local_part }} || '@' || {{ domain }}
    end
{%- endmacro %}


{#
    Phone to E.164. A leading + or 00 means the number is international; otherwise it is national
    and gets `calling_code` (the row's country, else the default_phone_country var) with one
    trunk 0 dropped. North American numbers written with the leading 1 are recognised. Null when
    fewer than 8 or more than 15 digits remain.
#}
{% macro normalize_phone(column, calling_code) %}
    {%- set digits = digits_only(column) -%}
    {%- set e164 -%}
        case
            when trim({{ column }}) like '+%' then '+' || {{ digits }}
            when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
            when {{ calling_code }} = '1' and length({{ digits }}) = 11 and {{ digits }} like '1%'
                then '+' || {{ digits }}
            when {{ digits }} like '0%' then '+' || {{ calling_code }} || substr({{ digits }}, 2)
            else '+' || {{ calling_code }} || {{ digits }}
        end
    {%- endset -%}
    case
        when {{ digits }} is null or {{ digits }} = '' then null
        when length({{ e164 }}) between 9 and 16 and {{ e164 }} not like '+0%' then {{ e164 }}
    end
{%- endmacro %}
