{#- customers.lifecycle_stage is the current interval of customer_lifecycle_history (lead when
    the customer was first seen after the as-of date and has no history yet). -#}
select
    customers.customer_id,
    customers.lifecycle_stage,
    history.lifecycle_stage as history_stage
from {{ ref('customers') }} as customers
left join {{ ref('customer_lifecycle_history') }} as history
    on customers.customer_id = history.customer_id
    and history.is_current
where coalesce(history.lifecycle_stage, 'lead') <> customers.lifecycle_stage
