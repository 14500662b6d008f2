-- Grain: one row per raw web row that could not be staged, with the reason.
{{ quarantined_rows(['base_web__events']) }}
