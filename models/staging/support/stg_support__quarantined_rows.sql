-- Grain: one row per raw support row that could not be staged, with the reason.
{{ quarantined_rows(['base_support__tickets']) }}
