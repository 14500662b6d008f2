"""The ingest gate on real landing files."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.raw import RawTable, check_raw_table

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
    files, problems = check_raw_table(ORDERS, tmp_path)
    assert [f.name for f in files] == ["a.csv"] and problems == []


def test_missing_required_column_is_named_with_its_file(tmp_path):
    _write(tmp_path / "shop/orders/a.csv", "order_id,total_amount\n1,2\n")
    bad = _write(tmp_path / "shop/orders/b.csv", "order_id,amount\n1,2\n")
    _, problems = check_raw_table(ORDERS, tmp_path)
    assert len(problems) == 1
    assert str(bad) in problems[0] and "total_amount" in problems[0]


def test_no_files_empty_files_and_bad_encoding_are_problems(tmp_path):
    _, problems = check_raw_table(ORDERS, tmp_path)
    assert "no *.csv files" in problems[0]
    _write(tmp_path / "shop/orders/empty.csv", "")
    (tmp_path / "shop/orders/latin1.csv").write_bytes(b"order_\xfcid,total_amount\n")
    _, problems = check_raw_table(ORDERS, tmp_path)
    assert any("empty file" in p for p in problems)
    assert any("not UTF-8" in p for p in problems)


def test_parquet_schema_is_checked_and_damaged_files_reported(tmp_path):
    folder = tmp_path / "web/events"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"event_id": ["e1"], "occurred_at": ["2026-01-01"]}), folder / "ok.parquet"
    )
    pq.write_table(pa.table({"event_id": ["e1"]}), folder / "no_time.parquet")
    (folder / "damaged.parquet").write_bytes(b"not parquet")
    _, problems = check_raw_table(EVENTS, tmp_path)
    assert len(problems) == 2
    assert any("damaged.parquet" in p and "not a readable Parquet file" in p for p in problems)
    assert any("no_time.parquet" in p and "occurred_at" in p for p in problems)
