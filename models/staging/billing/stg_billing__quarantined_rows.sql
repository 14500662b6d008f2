-- Grain: one row per raw billing row that could not be staged, with the reason.
{{ quarantined_rows(['base_billing__subscriptions']) }}
