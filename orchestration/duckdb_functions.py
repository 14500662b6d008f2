"""SQL functions the warehouse registers on every dbt-duckdb connection (profiles.yml `plugins`).

`cw_phone_e164(raw, calling_code, country_code)`: a phone number as written, to E.164, parsed by
Google's libphonenumber (the `phonenumbers` port) rather than guessed in SQL: national formats
with trunk prefixes, international prefixes (`+`, `00`), extensions and vanity numbers
(1-800-FLOWERS). National numbers belong to the row's ISO `country_code` when libphonenumber
knows it (any country, seeded or not), else to the region of `calling_code`, the calling code
from the country_calling_codes seed (the row's country, else the default_phone_country var).
Null when the text cannot be a phone number of that region (wrong length, letters, junk).
"""

from functools import lru_cache

import phonenumbers
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection


@lru_cache(maxsize=1_000_000)
def phone_e164(
    raw: str | None, calling_code: str | None, country_code: str | None = None
) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    region = None
    country = (country_code or "").strip().upper()
    if country in phonenumbers.SUPPORTED_REGIONS:
        region = country
    elif calling_code and calling_code.isdigit():
        region = phonenumbers.region_code_for_country_code(int(calling_code))
    try:
        number = phonenumbers.parse(text, None if region == "ZZ" else region)
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE only: a local-only length (555-0100, no area code) cannot be dialled from
    # elsewhere and would collide across areas.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "cw_phone_e164",
            phone_e164,
            ["VARCHAR", "VARCHAR", "VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
