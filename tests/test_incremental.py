"""Incremental runs give what a full refresh gives (docs/incremental-processing.md).

One DuckDB file, the real dbt project with its tests (row accounting, keys, quarantine share),
and landing files that grow the way a daily drop grows them: an initial build, then two daily
drops (new records, a tenth of them late by three days; new versions of orders and accounts;
exact duplicates; a row from the future that is quarantined on the first day and staged on the
next), each built incrementally. Then a `--full-refresh` build on the same final files must give
the same rows in every mart and audience, and in every staging model.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.daily_batch import write_daily_batch
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse
from tests.conftest import published_marts_digest

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("incremental")

INITIAL_DAY = date(2026, 6, 30)  # the demo data's as-of date
DAILY_DAYS = (date(2026, 7, 1), date(2026, 7, 2))
# On the first daily run (as of 2026-07-01) the cutoff is 2026-07-03 00:00 (end of the day plus
# 24 hours of tolerance), so this event is quarantined as future_timestamp; the next run's cutoff
# is a day later, and the same row, in the same file, is staged.
FUTURE_EVENT_ID = "E-from-the-future"
FUTURE_EVENT_AT = "2026-07-03T12:00:00Z"
SHARE = 0.03  # on 300 people 1% would be a handful of rows; 3% exercises every path


def _dbt_build(raw_dir: Path, warehouse: Path, tmp_path: Path, as_of: date, *extra: str) -> None:
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
    }
    command = [
        str(Path(sys.executable).parent / "dbt"), "build", "--exclude-resource-type", "unit_test",
        "--vars", f"{{as_of_date: '{as_of.isoformat()}'}}", "--target-path",
        str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"), *extra,
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-6000:]


def _add_future_event(raw_dir: Path, day: date) -> None:
    """One web event in its own Parquet file, timestamped after the first daily cutoff."""
    path = raw_dir / "web" / "events" / f"events_app_{day:%Y%m%d}.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select '{FUTURE_EVENT_ID}' as event_id, 'anon-future' as anonymous_id, "
            "cast(null as varchar) as user_id, 'app_open' as event_name, 'ios' as platform, "
            "cast(null as varchar) as page_url, cast(null as varchar) as properties, "
            f"timestamptz '{FUTURE_EVENT_AT}' as occurred_at) to '{path}' (format parquet)"
        )


def _add_exact_duplicates(raw_dir: Path, day: date) -> None:
    """A re-sent order file: the first rows of an existing one, again, in a new file."""
    source = raw_dir / "shop" / "orders" / "orders_2026.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[:6]
    with (source.parent / f"orders_resent_{day:%Y%m%d}.csv").open(
        "w", newline="", encoding="utf-8"
    ) as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _staging_digest(warehouse: Path) -> dict[str, str]:
    """Every staging model's rows, without the columns that say when a row was typed."""
    digests = {}
    with connect_warehouse(warehouse) as connection:
        tables = connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'staging' order by 1"
        ).fetchall()
        for (table,) in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from duckdb_columns() where schema_name = 'staging' "
                    "and table_name = ? and column_name not in ('typed_at', 'future_cutoff_at') "
                    "order by column_index",
                    [table],
                ).fetchall()
            ]
            rows = connection.execute(
                f"select {', '.join(columns)} from staging.{table} order by all"
            ).fetchall()
            digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with connect_warehouse(warehouse) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def incremental_history(tmp_path_factory, demo_data):
    """The warehouse after the incremental runs, its digests, then after a full refresh."""
    root = tmp_path_factory.mktemp("incremental")
    raw_dir = root / "raw"
    shutil.copytree(demo_data[0], raw_dir)
    warehouse = root / "warehouse" / "working.duckdb"
    warehouse.parent.mkdir()
    _dbt_build(raw_dir, warehouse, root, INITIAL_DAY)
    first_batch = write_daily_batch(raw_dir, DAILY_DAYS[0], share=SHARE, seed=3)
    _add_future_event(raw_dir, DAILY_DAYS[0])
    _add_exact_duplicates(raw_dir, DAILY_DAYS[0])
    _dbt_build(raw_dir, warehouse, root, DAILY_DAYS[0])
    future_after_first_daily = _query(
        warehouse,
        "select rejection_reason from staging.base_web__events "
        f"where event_id = '{FUTURE_EVENT_ID}'",
    )
    write_daily_batch(raw_dir, DAILY_DAYS[1], share=SHARE, seed=3)
    _dbt_build(raw_dir, warehouse, root, DAILY_DAYS[1])
    incremental = {
        "marts": published_marts_digest(warehouse),
        "staging": _staging_digest(warehouse),
        "typed_at_count": _query(
            warehouse, "select count(distinct typed_at) from staging.base_web__events"
        )[0][0],
        "future_staged": _query(
            warehouse,
            f"select count(*) from staging.stg_web__events where event_id = '{FUTURE_EVENT_ID}'",
        )[0][0],
    }
    _dbt_build(raw_dir, warehouse, root, DAILY_DAYS[1], "--full-refresh")
    full_refresh = {
        "marts": published_marts_digest(warehouse),
        "staging": _staging_digest(warehouse),
        "typed_at_count": _query(
            warehouse, "select count(distinct typed_at) from staging.base_web__events"
        )[0][0],
    }
    return {
        "first_batch": first_batch,
        "future_after_first_daily": future_after_first_daily,
        "incremental": incremental,
        "full_refresh": full_refresh,
        "warehouse": warehouse,
        "raw_dir": raw_dir,
    }


def test_the_runs_were_incremental(incremental_history):
    """Guards the test itself: base rows typed by three runs, then by one after the refresh."""
    assert incremental_history["incremental"]["typed_at_count"] == 3
    assert incremental_history["full_refresh"]["typed_at_count"] == 1
    first_batch = incremental_history["first_batch"]
    for table in ("web.events", "email.engagement_events", "shop.orders", "shop.customers"):
        assert first_batch.get(table, 0) > 0, table


def test_a_future_row_is_quarantined_then_staged_when_its_time_comes(incremental_history):
    assert incremental_history["future_after_first_daily"] == [("future_timestamp:occurred_at",)]
    assert incremental_history["incremental"]["future_staged"] == 1


def test_full_refresh_gives_the_same_marts_and_audiences(incremental_history):
    incremental = incremental_history["incremental"]["marts"]
    full_refresh = incremental_history["full_refresh"]["marts"]
    assert len(incremental) > 20
    different = sorted(name for name in incremental if incremental[name] != full_refresh.get(name))
    assert different == []
    assert set(incremental) == set(full_refresh)


def test_full_refresh_gives_the_same_staging_rows(incremental_history):
    incremental = incremental_history["incremental"]["staging"]
    full_refresh = incremental_history["full_refresh"]["staging"]
    different = sorted(name for name in incremental if incremental[name] != full_refresh.get(name))
    assert different == []
    assert set(incremental) == set(full_refresh)


def test_late_and_changed_records_reach_the_marts(incremental_history):
    warehouse = incremental_history["warehouse"]
    late_events = _query(
        warehouse,
        "select count(*) from staging.stg_web__events "
        "where event_id like '%\\_daily\\_20260702' escape '\\' and occurred_at < '2026-07-01'",
    )[0][0]
    changed_orders = _query(
        warehouse,
        "select count(*) from staging.stg_shop__orders "
        "where order_status = 'returned' and updated_at >= '2026-07-01'",
    )[0][0]
    assert late_events > 0
    assert changed_orders > 0


def test_an_earlier_as_of_date_asks_for_a_full_refresh(incremental_history, tmp_path):
    """Rows staged under a later cutoff cannot be un-staged incrementally: the run stops and
    says what to do. (Runs last: it reuses the warehouse, which the failed build leaves as is.)"""
    warehouse = incremental_history["warehouse"]
    before = published_marts_digest(warehouse)
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(incremental_history["raw_dir"]),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
    }
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run", "--select", "base_web__events",
         "--vars", f"{{as_of_date: '{INITIAL_DAY.isoformat()}'}}", "--target-path",
         str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "Rebuild with --full-refresh" in completed.stdout
    assert published_marts_digest(warehouse) == before
