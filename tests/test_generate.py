"""The demo-data generator, on real files: determinism, the docs/sources.md contract, the ground
truth and the mess it is meant to contain."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.generate import generate, normalize_email
from orchestration.settings import PROJECT_ROOT

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("generate")

PEOPLE = 300
SEED = 7
CURRENCIES = {"USD", "EUR", "GBP"}
IDENTITY_TABLES = {
    "shop__customers": ("shop/customers", "account_id"),
    "shop__orders": ("shop/orders", "order_id"),
    "crm__contacts": ("crm/contacts", "contact_id"),
    "support__tickets": ("support/tickets", "ticket_id"),
    "loyalty__members": ("loyalty/members", "loyalty_id"),
    "surveys__nps_responses": ("surveys/nps_responses", "response_id"),
    "web__devices": ("web/events", "anonymous_id"),
    "email__recipients": ("email/engagement_events", "email"),
}
JUNK = {"test@test.com", "noreply@example.com", "info@example.com", "a@a.com", "0000000000"}


def documented_tables() -> dict[str, tuple[str, list[str]]]:
    """`source/table` -> (format, columns) as written in docs/sources.md."""
    text = (PROJECT_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    tables: dict[str, tuple[str, list[str]]] = {}
    sections = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    for section in sections:
        heading = re.match(r"(\w+) / (\w+) \((CSV|Parquet)\)", section)
        assert heading, f"unexpected heading in docs/sources.md: {section[:60]!r}"
        columns = []
        for line in section.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0] not in ("column", "") and "---" not in cells[0]:
                columns += [name.strip() for name in cells[0].split(",")]
        tables[f"{heading[1]}/{heading[2]}"] = (heading[3].lower(), columns)
    return tables


def read_rows(raw_dir: Path, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((raw_dir / table).iterdir()):
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows += [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle)]
        else:
            rows += pq.read_table(path).to_pylist()
    return rows


def read_truth(truth_dir: Path) -> list[dict[str, str]]:
    with (truth_dir / "identity_truth.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def file_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def is_timestamp(value: object) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def is_amount(value: object) -> bool:
    try:
        return Decimal(str(value)) >= 0
    except InvalidOperation:
        return False


def malformed_share(rows: list[dict[str, object]], columns: dict[str, str]) -> float:
    """Share of rows with a value the warehouse must quarantine (columns: name -> kind)."""
    checks = {
        "timestamp": is_timestamp,
        "amount": is_amount,
        "currency": lambda v: v in CURRENCIES,
        "integer": lambda v: str(v).isdigit(),
        "text": lambda v: True,
    }
    bad = sum(
        1
        for row in rows
        if any(row.get(c) is None or not checks[kind](row[c]) for c, kind in columns.items())
    )
    return bad / len(rows)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("generate")
    calls: list[int] = []
    summary = generate(root / "a" / "raw", root / "a" / "truth", PEOPLE, SEED, calls.append)
    generate(root / "b" / "raw", root / "b" / "truth", PEOPLE, SEED)
    generate(root / "c" / "raw", root / "c" / "truth", PEOPLE, SEED + 1)
    return {"root": root, "summary": summary, "progress": calls}


@pytest.fixture(scope="module")
def raw(world: dict[str, object]) -> Path:
    return world["root"] / "a" / "raw"  # type: ignore[operator]


@pytest.fixture(scope="module")
def truth(world: dict[str, object]) -> Path:
    return world["root"] / "a" / "truth"  # type: ignore[operator]


def test_the_same_seed_gives_byte_identical_files(world):
    root = world["root"]
    first, second = file_bytes(root / "a"), file_bytes(root / "b")
    assert len(first) > 14 and first == second


def test_another_seed_gives_other_data(world):
    root = world["root"]
    first, other = file_bytes(root / "a"), file_bytes(root / "c")
    changed = [name for name in first if first[name] != other.get(name)]
    assert "raw/shop/customers/customers.csv" in changed
    assert "truth/identity_truth.csv" in changed


def test_every_documented_table_has_exactly_its_columns(raw):
    tables = documented_tables()
    assert len(tables) == 14
    for table, (file_format, columns) in tables.items():
        files = sorted((raw / table).iterdir())
        assert files, f"{table} has no files"
        for path in files:
            assert path.suffix == f".{file_format}", path
            if file_format == "csv":
                with path.open(encoding="utf-8", newline="") as handle:
                    assert next(csv.reader(handle)) == columns, path
            else:
                schema = pq.read_schema(path)
                assert schema.names == columns, path
                for name in columns:
                    expected = (
                        pa.timestamp("us", tz="UTC") if name == "occurred_at" else pa.string()
                    )
                    assert schema.field(name).type == expected, (path, name)


def test_some_tables_arrive_as_several_files(raw):
    orders = sorted(p.name for p in (raw / "shop" / "orders").iterdir())
    assert "orders_late_arriving.csv" in orders and "orders_2025.csv" in orders
    assert len(list((raw / "web" / "events").glob("*.parquet"))) >= 2


def test_ground_truth_is_outside_the_landing_dir_and_covers_every_record(raw, truth):
    assert not list(raw.rglob("identity_truth*"))
    rows = read_truth(truth)
    assert Counter((r["source_table"], r["record_key"]) for r in rows).most_common(1)[0][1] == 1
    keys = defaultdict(set)
    for row in rows:
        keys[row["source_table"]].add(row["record_key"])
    assert set(keys) == set(IDENTITY_TABLES)
    for source_table, (table, key_column) in IDENTITY_TABLES.items():
        raw_keys = {row[key_column] for row in read_rows(raw, table) if row[key_column]}
        if source_table == "email__recipients":
            raw_keys = {str(email).strip().lower() for email in raw_keys}
        assert raw_keys, source_table
        assert raw_keys == keys[source_table], source_table


def test_the_same_person_appears_with_email_variants(raw, truth):
    person_of = {(r["source_table"], r["record_key"]): r["person_id"] for r in read_truth(truth)}
    emails_by_person = defaultdict(set)
    for source_table, column in (("shop__customers", "email"), ("shop__orders", "email")):
        table, key = IDENTITY_TABLES[source_table]
        for row in read_rows(raw, table):
            if row[column] and row[column] not in JUNK:
                emails_by_person[person_of[(source_table, row[key])]].add(row[column])
    kinds = Counter()
    for emails in emails_by_person.values():
        assert len({normalize_email(e) for e in emails}) == 1
        for first in emails:
            for second in emails - {first}:
                if first.strip().lower() == second.strip().lower():
                    kinds["case or spaces"] += 1
                elif "+" in first and "+" not in second:
                    kinds["+tag"] += 1
                elif first.replace(".", "") == second.replace(".", ""):
                    kinds["gmail dots"] += 1
    assert kinds["case or spaces"] and kinds["+tag"] and kinds["gmail dots"], kinds


def test_the_mess_is_there(raw):
    orders = read_rows(raw, "shop/orders")
    identifiers = {
        str(row.get(column))
        for table in ("shop/customers", "shop/orders", "crm/contacts", "loyalty/members")
        for row in read_rows(raw, table)
        for column in ("email", "phone")
    }
    assert identifiers & JUNK
    phones = {str(row["phone"]) for row in read_rows(raw, "shop/customers") if row["phone"]}
    assert any(re.fullmatch(r"\+1\d{10}", p) for p in phones)
    assert any(re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", p) for p in phones)
    assert any(p.startswith("00") for p in phones)
    guest_orders = [r for r in orders if r["account_id"] is None]
    assert guest_orders and all(r["email"] for r in guest_orders)
    assert 0.03 < len(guest_orders) / len(orders) < 0.3
    order_lines = [tuple(r.values()) for r in orders]
    assert len(order_lines) > len(set(order_lines)), "no exact duplicate rows"
    versions = Counter(r["account_id"] for r in read_rows(raw, "shop/customers"))
    assert max(versions.values()) >= 2, "no account has several versions"
    statuses = Counter(r["status"] for r in orders)
    assert {"delivered", "cancelled", "returned", "refunded"} <= set(statuses)
    for row in orders:
        if row["status"] in ("returned", "refunded") and is_amount(row["total_amount"]):
            assert row["refunded_amount"] is not None


def test_a_small_share_of_rows_is_malformed(raw):
    checks = {
        "shop/orders": {
            "order_id": "text", "status": "text", "currency": "currency",
            "subtotal_amount": "amount", "total_amount": "amount", "ordered_at": "timestamp",
            "updated_at": "timestamp",
        },
        "shop/customers": {"account_id": "text", "created_at": "timestamp",
                           "updated_at": "timestamp"},
        "shop/order_items": {"order_id": "text", "product_id": "text", "quantity": "integer",
                             "unit_price": "amount"},
        "support/tickets": {"ticket_id": "text", "requester_email": "text", "status": "text",
                            "created_at": "timestamp"},
        "consent/events": {"identifier": "text", "channel": "text", "status": "text",
                           "occurred_at": "timestamp"},
        "surveys/nps_responses": {"email": "text", "score": "integer",
                                  "responded_at": "timestamp"},
        "loyalty/members": {"loyalty_id": "text", "joined_at": "timestamp",
                            "updated_at": "timestamp", "points_balance": "integer"},
        "web/events": {"event_id": "text", "anonymous_id": "text", "event_name": "text"},
    }  # fmt: skip
    shares = {table: malformed_share(read_rows(raw, table), cols) for table, cols in checks.items()}
    assert all(share < 0.03 for share in shares.values()), shares
    assert shares["shop/orders"] > 0 and sum(s > 0 for s in shares.values()) >= 4, shares


def test_orders_add_up(raw):
    for row in read_rows(raw, "shop/orders"):
        amounts = [row[c] for c in ("subtotal_amount", "total_amount")]
        if all(is_amount(a) for a in amounts) and row["currency"] in CURRENCIES:
            expected = (
                Decimal(row["subtotal_amount"])
                - Decimal(row["discount_amount"] or 0)
                + Decimal(row["shipping_amount"] or 0)
            )
            assert expected == Decimal(row["total_amount"]), row


def test_nothing_happens_after_as_of(tmp_path):
    generate(tmp_path / "raw", tmp_path / "truth", 120, SEED, as_of=date(2025, 3, 31))
    orders = read_rows(tmp_path / "raw", "shop/orders")
    events = read_rows(tmp_path / "raw", "web/events")
    texts = [str(r["ordered_at"]) for r in orders if is_timestamp(r["ordered_at"])]
    moments = [datetime.fromisoformat(t) for t in texts] + [r["occurred_at"] for r in events]
    latest = max(m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments)
    assert datetime(2025, 3, 1, tzinfo=UTC) <= latest <= datetime(2025, 4, 1, tzinfo=UTC)


def test_row_counts_scale_with_people(tmp_path, world):
    small = generate(tmp_path / "s" / "raw", tmp_path / "s" / "truth", 100, SEED)
    large = world["summary"]
    assert large.people == 3 * small.people
    for table in ("shop.customers", "shop.orders", "web.events", "consent.events"):
        ratio = large.rows_per_table[table] / small.rows_per_table[table]
        assert 2.0 < ratio < 4.5, (table, ratio)
    assert 2.0 < large.truth_rows / small.truth_rows < 4.5


def test_progress_counts_people(world):
    calls = world["progress"]
    assert calls == sorted(calls) and calls[-1] == PEOPLE


def test_regeneration_replaces_old_files_only(tmp_path):
    raw = tmp_path / "raw"
    stale = raw / "shop" / "orders" / "orders_1999.csv"
    notes = raw / "shop" / "orders" / "README.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("order_id\n1\n")
    notes.write_text("keep me")
    generate(raw, tmp_path / "truth", 50, SEED)
    assert not stale.exists() and notes.read_text() == "keep me"


def test_truth_inside_the_landing_dir_is_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        generate(tmp_path / "raw", tmp_path / "raw" / "truth", 10, SEED)


def test_command_line_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.generate", "--people", "40", "--seed", "3",
         "--raw-dir", str(tmp_path / "raw"), "--truth-dir", str(tmp_path / "truth")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "shop.orders" in result.stdout
    assert (tmp_path / "truth" / "identity_truth.csv").exists()


def test_large_populations_are_written_chunk_by_chunk(tmp_path, monkeypatch):
    """Chunks write *_partNNN files whose union is as consistent as one pass: every record
    belongs to exactly one person, and the truth covers every identity record."""
    import orchestration.generate as generate_module

    monkeypatch.setattr(generate_module, "CHUNK_PEOPLE", 40)
    raw, truth = tmp_path / "raw", tmp_path / "truth"
    summary = generate(raw, truth, 100, SEED)
    orders = sorted(p.name for p in (raw / "shop" / "orders").iterdir())
    assert {"orders_2025_part000.csv", "orders_2025_part002.csv"} <= set(orders), orders
    assert len(list((raw / "marketing" / "spend").iterdir())) == 1, "spend is written once"
    rows = read_truth(truth)
    assert len(rows) == summary.truth_rows
    assert Counter((r["source_table"], r["record_key"]) for r in rows).most_common(1)[0][1] == 1
    assert len({r["person_id"] for r in rows}) > 90  # a rare person leaves no record
    account_ids = [row["account_id"] for row in read_rows(raw, "shop/customers")]
    truth_accounts = {r["record_key"] for r in rows if r["source_table"] == "shop__customers"}
    assert {a for a in account_ids if a} == truth_accounts
    assert sum(summary.rows_per_table.values()) > 2_000
