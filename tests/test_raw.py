"""The ingest gate on real landing files."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.raw import KnownScans, RawTable, check_raw_table, file_scan_executor

ORDERS = RawTable(
    source_name="shop",
    table_name="orders",
    file_format="csv",
    required_columns=("order_id", "total_amount"),
    asset_key=dg.AssetKey(["raw", "shop", "orders"]),
)
EVENTS = RawTable(
    source_name="web",
    table_name="events",
    file_format="parquet",
    required_columns=("event_id", "occurred_at"),
    asset_key=dg.AssetKey(["raw", "web", "events"]),
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_table_with_its_required_columns_passes(tmp_path):
    _write(tmp_path / "shop/orders/a.csv", "\ufefforder_id,total_amount,extra\n1,2.00,x\n")
    check = check_raw_table(ORDERS, tmp_path)
    assert [f.name for f in check.files] == ["a.csv"] and check.problems == []
    assert check.row_count == 1


def test_missing_required_column_is_named_with_its_file(tmp_path):
    _write(tmp_path / "shop/orders/a.csv", "order_id,total_amount\n1,2\n")
    bad = _write(tmp_path / "shop/orders/b.csv", "order_id,amount\n1,2\n")
    problems = check_raw_table(ORDERS, tmp_path).problems
    assert len(problems) == 1
    assert str(bad) in problems[0] and "total_amount" in problems[0]


def test_no_files_empty_files_and_bad_encoding_are_problems(tmp_path):
    problems = check_raw_table(ORDERS, tmp_path).problems
    assert "no *.csv files" in problems[0]
    _write(tmp_path / "shop/orders/empty.csv", "")
    (tmp_path / "shop/orders/latin1.csv").write_bytes(b"order_\xfcid,total_amount\n")
    problems = check_raw_table(ORDERS, tmp_path).problems
    assert any("empty file" in p for p in problems)
    assert any("not UTF-8" in p for p in problems)


def test_files_scanned_in_processes_give_the_same_check(tmp_path, monkeypatch):
    """Big landings are scanned one process per core; the findings must not change."""
    _write(tmp_path / "shop/orders/a.csv", "order_id,total_amount\n1,2\n3,4\n")
    _write(tmp_path / "shop/orders/b.csv", "order_id,amount\n1,2\n")
    _write(tmp_path / "shop/orders/c.csv", "order_id,total_amount\n1,2,3\n")
    (tmp_path / "shop/orders/d.csv").write_bytes(b"order_id,total_amount\n1,\xfc\n")
    monkeypatch.setattr("orchestration.raw.PARALLEL_SCAN_BYTES", 0)
    executor = file_scan_executor([ORDERS], tmp_path)
    assert executor is not None
    with executor:
        in_processes = check_raw_table(ORDERS, tmp_path, executor=executor)
    serial = check_raw_table(ORDERS, tmp_path)
    assert in_processes == serial
    assert len(serial.problems) == 3 and serial.row_count == 4


def test_a_file_found_clean_is_not_read_again_until_it_changes(tmp_path):
    """A daily run reads only the files that landed since (KnownScans, docs/quality-gates.md)."""
    import os

    orders = _write(tmp_path / "shop/orders/a.csv", "order_id,total_amount\n1,2\n3,4\n")
    kept_path = tmp_path / "kept_scans.json"
    known = KnownScans(kept_path)
    assert check_raw_table(ORDERS, tmp_path, known_scans=known).problems == []
    known.save()
    # Other bytes under the same name, size and modification time: the kept scan answers.
    stamp = orders.stat()
    orders.write_text("order_id,total_amounX\n1,2\n3,4\n", encoding="utf-8")
    os.utime(orders, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert orders.stat().st_size == stamp.st_size
    kept = check_raw_table(ORDERS, tmp_path, known_scans=KnownScans.load(kept_path))
    assert kept.problems == [] and kept.row_count == 2
    # Without kept scans (a full refresh) the file is read.
    assert "total_amount" in check_raw_table(ORDERS, tmp_path).problems[0]
    # A file rewritten later than its kept scan is read again, and its problem named.
    os.utime(orders, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    problems = check_raw_table(ORDERS, tmp_path, known_scans=KnownScans.load(kept_path)).problems
    assert len(problems) == 1
    assert str(orders) in problems[0] and "total_amount" in problems[0]


def test_files_with_problems_and_scans_of_other_rules_are_not_kept(tmp_path):
    _write(tmp_path / "shop/orders/a.csv", "order_id,total_amount\n1,2\n")
    ragged = _write(tmp_path / "shop/orders/b.csv", "order_id,total_amount\n1,2,3\n")
    kept_path = tmp_path / "kept_scans.json"
    known = KnownScans(kept_path)
    assert len(check_raw_table(ORDERS, tmp_path, known_scans=known).problems) == 1
    known.save()
    kept = KnownScans.load(kept_path)
    assert kept.get(tmp_path / "shop/orders/a.csv") is not None
    assert kept.get(ragged) is None
    # The same problem is found, and named, on the next run too.
    assert "1 row(s)" in check_raw_table(ORDERS, tmp_path, known_scans=kept).problems[0]
    kept_path.write_text(
        kept_path.read_text().replace('"scan_rules_version": 1', '"scan_rules_version": 0')
    )
    assert KnownScans.load(kept_path).get(tmp_path / "shop/orders/a.csv") is None


def test_a_damaged_kept_scan_is_read_again_not_trusted(tmp_path):
    """A kept entry the gate did not write whole (edited by hand, cut short): read the file."""
    import json

    orders = _write(tmp_path / "shop/orders/a.csv", "order_id,amount\n1,2\n")
    kept_path = tmp_path / "kept_scans.json"
    known = KnownScans(kept_path)
    assert len(check_raw_table(ORDERS, tmp_path, known_scans=known).problems) == 1
    stamp = {"bytes": orders.stat().st_size, "modified_ns": orders.stat().st_mtime_ns}
    for damaged in (
        {**stamp},
        {**stamp, "columns": "order_id,total_amount", "row_count": 1},
        {**stamp, "columns": ["order_id", "total_amount"], "row_count": "1"},
        "not an entry",
    ):
        kept_path.write_text(
            json.dumps({"scan_rules_version": 1, "files": {str(orders): damaged}}),
            encoding="utf-8",
        )
        problems = check_raw_table(ORDERS, tmp_path, known_scans=KnownScans.load(kept_path))
        assert len(problems.problems) == 1 and "total_amount" in problems.problems[0], damaged


def test_parquet_schema_is_checked_and_damaged_files_reported(tmp_path):
    folder = tmp_path / "web/events"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"event_id": ["e1"], "occurred_at": ["2026-01-01"]}), folder / "ok.parquet"
    )
    pq.write_table(pa.table({"event_id": ["e1"]}), folder / "no_time.parquet")
    (folder / "damaged.parquet").write_bytes(b"not parquet")
    problems = check_raw_table(EVENTS, tmp_path).problems
    assert len(problems) == 2
    assert any("damaged.parquet" in p and "not a readable Parquet file" in p for p in problems)
    assert any("no_time.parquet" in p and "occurred_at" in p for p in problems)


def test_a_table_whose_newest_file_is_too_old_is_stale(tmp_path):
    import os
    import time

    old = _write(tmp_path / "shop/orders/old.csv", "order_id,total_amount\n1,2\n")
    three_days_ago = time.time() - 3 * 24 * 3600
    os.utime(old, (three_days_ago, three_days_ago))
    problems = check_raw_table(ORDERS, tmp_path, max_age_hours=48).problems
    assert len(problems) == 1
    assert "stale" in problems[0] and "old.csv" in problems[0] and "72 hours" in problems[0]
    assert check_raw_table(ORDERS, tmp_path, max_age_hours=None).problems == []
    # A fresh file landing next to it makes the table fresh again.
    _write(tmp_path / "shop/orders/new.csv", "order_id,total_amount\n2,3\n")
    assert check_raw_table(ORDERS, tmp_path, max_age_hours=48).problems == []


def test_freshness_is_off_for_backfills_and_when_zero(monkeypatch):
    from orchestration.settings import Settings

    monkeypatch.delenv("CW_AS_OF_DATE", raising=False)
    monkeypatch.setenv("CW_MAX_RAW_AGE_HOURS", "48")
    assert Settings.from_env().raw_max_age_hours == 48
    monkeypatch.setenv("CW_AS_OF_DATE", "2025-01-31")
    assert Settings.from_env().raw_max_age_hours is None
    monkeypatch.delenv("CW_AS_OF_DATE")
    monkeypatch.setenv("CW_MAX_RAW_AGE_HOURS", "0")
    assert Settings.from_env().raw_max_age_hours is None
