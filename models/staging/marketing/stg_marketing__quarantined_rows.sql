-- Grain: one row per raw marketing row that could not be staged, with the reason.
{{ quarantined_rows(['base_marketing__campaigns', 'base_marketing__spend']) }}
