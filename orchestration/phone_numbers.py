"""Phone numbers as written, to E.164, by Google's libphonenumber (the `phonenumbers` port).

National formats with trunk prefixes, international prefixes (`+`, `00`), extensions and vanity
numbers (1-800-FLOWERS). National numbers belong to the row's ISO `country_code` when
libphonenumber knows it (any country, seeded or not), else to the region of `calling_code`, the
calling code from the country_calling_codes seed (the row's country, else the
default_phone_country var). Null when the text cannot be a phone number of that region (wrong
length, letters, junk).

Nothing here remembers answers: the DuckDB function parses each distinct number once per build
and keeps the answers itself, so a cache here would only hold a second copy of them.

Run as a script, the module is a worker process that parses numbers for the DuckDB function
(orchestration/duckdb_functions.py); it imports nothing but `phonenumbers`, so it starts in a
fraction of a second.
"""

import json
import sys
from collections.abc import Sequence
from typing import TextIO

import phonenumbers

PhoneKey = tuple[str | None, str | None, str | None]


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


def phones_e164(keys: Sequence[PhoneKey]) -> list[str | None]:
    """`phone_e164` of many numbers: the unit of work a worker process receives."""
    return [phone_e164(*key) for key in keys]


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """A worker process: each line read is a JSON list of [raw, calling_code, country_code];
    each line written is the JSON list of their E.164 numbers. Ends when its input ends."""
    for line in stdin:
        stdout.write(json.dumps(phones_e164([tuple(key) for key in json.loads(line)])) + "\n")
        stdout.flush()


if __name__ == "__main__":
    serve()
