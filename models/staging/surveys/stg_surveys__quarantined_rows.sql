-- Grain: one row per raw surveys row that could not be staged, with the reason.
{{ quarantined_rows(['base_surveys__nps_responses']) }}
