-- Grain: one row per raw consent row that could not be staged, with the reason.
{{ quarantined_rows(['base_consent__events']) }}
