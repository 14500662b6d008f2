{#-
    Grain: one row per raw source table. Where every raw row went: staged, quarantined, or
    removed by a documented dedupe (an exact duplicate of a kept row, or a version superseded by
    a later one). The singular test assert_raw_rows_are_accounted_for fails the build when
    raw = staged + quarantined + exact duplicates + superseded does not hold.

    raw_tables lists each raw table with the key its staging model keeps one row per (the
    partition of its first_row_per_key step), written over the base model's typed columns.
-#}
{{ row_accounting([
    {'source': 'billing', 'table': 'subscriptions', 'key': 'subscription_id'},
    {'source': 'consent', 'table': 'events', 'key': 'consent_event_id'},
    {'source': 'crm', 'table': 'contacts', 'key': 'contact_id'},
    {'source': 'email', 'table': 'engagement_events', 'key': 'email_event_id'},
    {'source': 'loyalty', 'table': 'members', 'key': 'loyalty_id'},
    {'source': 'marketing', 'table': 'campaigns', 'key': 'campaign_id'},
    {'source': 'marketing', 'table': 'spend', 'key': 'spend_date, lower(channel)'},
    {'source': 'privacy', 'table': 'erasure_requests', 'key': 'erasure_request_id'},
    {'source': 'shop', 'table': 'customers', 'key': 'account_id'},
    {'source': 'shop', 'table': 'order_items', 'key': 'order_item_id'},
    {'source': 'shop', 'table': 'orders', 'key': 'order_id'},
    {'source': 'support', 'table': 'tickets', 'key': 'ticket_id'},
    {'source': 'surveys', 'table': 'nps_responses', 'key': 'response_id'},
    {'source': 'web', 'table': 'events', 'key': 'event_id'},
]) }}
