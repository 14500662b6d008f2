-- Grain: one row per raw crm row that could not be staged, with the reason.
{{ quarantined_rows(['base_crm__contacts']) }}
