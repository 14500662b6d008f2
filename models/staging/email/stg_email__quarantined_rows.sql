-- Grain: one row per raw email row that could not be staged, with the reason.
{{ quarantined_rows(['base_email__engagement_events']) }}
