-- Grain: one row per raw shop row that could not be staged, with the reason.
{{ quarantined_rows(['base_shop__customers', 'base_shop__order_items', 'base_shop__orders']) }}
