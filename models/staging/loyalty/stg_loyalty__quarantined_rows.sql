-- Grain: one row per raw loyalty row that could not be staged, with the reason.
{{ quarantined_rows(['base_loyalty__members']) }}
