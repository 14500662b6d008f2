-- Grain: one row per raw privacy row that could not be staged, with the reason.
{{ quarantined_rows(['base_privacy__erasure_requests']) }}
