{#-
    Champions, loyal and top-tenth predicted-CLV customers for ad-platform customer match
    (lookalikes, exclusions).
    Ad platforms match on SHA-256 of the normalized email and of the E.164 phone; no clear-text
    identifier leaves.
    Rule in int_aud_ads_vip_candidates.
-#}
{{ config(meta={
    'channel': 'ads',
    'consent_purpose': 'marketing',
    'message_type': 'promotional',
    'priority': 10,
    'holdout_share': 0.05,
    'key': 'customer_id',
    'fields': [
        'customer_id', 'hashed_email', 'hashed_phone', 'rfm_segment', 'predicted_clv_decile',
    ],
    'destination': 'ad_platform_customer_match',
}) }}

{{ audience_members() }}
