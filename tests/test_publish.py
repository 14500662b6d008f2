"""Publishing copies the marts atomically and keeps a run log."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.publish import RunRecord, publish_warehouse, record_unpublished_run
from orchestration.warehouse import publishable_path


def _published(run_id: str, as_of_date: str | None = None) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        as_of_date=as_of_date,
        started_at=None,
        status="published",
        gate_results={"ingest": "passed", "build": "passed", "publish": "passed"},
    )


def _working_warehouse(path: Path, customers: int) -> Path:
    """A working file and its publishable file, as dbt leaves them (orchestration/warehouse.py)."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema staging")
        connection.execute("create table staging.stg_x as select 1 as id")
    with duckdb.connect(str(publishable_path(path))) as connection:
        connection.execute("create schema marts; create schema audiences; create schema scratch")
        connection.execute(
            f"create table marts.customers as select range as id from range({customers})"
        )
        connection.execute("create table audiences.aud_x as select 1 as id")
        connection.execute("create table scratch.left_over as select 1 as id")
        connection.execute("create view marts.a_view as select 1 as id")
    return path


def test_publish_copies_marts_and_audiences_only_and_appends_the_run_log(tmp_path):
    published = tmp_path / "out" / "published.duckdb"
    publish_warehouse(_working_warehouse(tmp_path / "w1.duckdb", 3), published, _published("run-1"))
    result = publish_warehouse(
        _working_warehouse(tmp_path / "w2.duckdb", 5), published, _published("run-2", "2026-06-30")
    )
    assert result.row_counts == {"audiences.aud_x": 1, "marts.customers": 5}
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.customers").fetchone() == (5,)
        schemas = {
            row[0]
            for row in connection.execute("select schema_name from duckdb_tables()").fetchall()
        }
        assert schemas == {"marts", "audiences", "publish"}
        log = connection.execute(
            "select run_id, cast(as_of_date as varchar), status, published_run_id, row_count "
            "from publish.run_log order by finished_at"
        ).fetchall()
        tables = connection.execute(
            "select run_id, table_name, row_count from publish.published_tables order by all"
        ).fetchall()
    assert log == [
        ("run-1", None, "published", "run-1", 4),
        ("run-2", "2026-06-30", "published", "run-2", 6),
    ]
    assert tables == [
        ("run-1", "audiences.aud_x", 1),
        ("run-1", "marts.customers", 3),
        ("run-2", "audiences.aud_x", 1),
        ("run-2", "marts.customers", 5),
    ]
    assert sorted(p.name for p in published.parent.iterdir()) == ["published.duckdb"]


def test_a_failed_publish_leaves_the_previous_file_untouched(tmp_path):
    published = tmp_path / "published.duckdb"
    publish_warehouse(_working_warehouse(tmp_path / "w1.duckdb", 3), published, _published("run-1"))
    before = published.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_warehouse(empty, published, _published("run-2"))
    duckdb.connect(str(publishable_path(empty))).close()
    with pytest.raises(RuntimeError, match="no tables in schemas marts, audiences"):
        publish_warehouse(empty, published, _published("run-3"))
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.duckdb",
        "empty_publishable.duckdb",
        "published.duckdb",
        "w1.duckdb",
        "w1_publishable.duckdb",
    ]


def test_a_failed_run_is_logged_and_the_marts_stay_as_they_were(tmp_path):
    published = tmp_path / "published.duckdb"
    publish_warehouse(_working_warehouse(tmp_path / "w1.duckdb", 3), published, _published("run-1"))
    (tmp_path / ".published.duckdb.killed-run.tmp").write_bytes(b"half written")
    record_unpublished_run(
        published,
        RunRecord(
            run_id="run-2",
            as_of_date="2026-06-30",
            started_at=None,
            status="failed",
            gate_results={"ingest": "passed", "build": "failed: 3 passed, 0 warned, 1 failed"},
            failed_gate="build",
            problems=["Build gate failed: not_null_customers_customer_id"],
        ),
    )
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.customers").fetchone() == (3,)
        log = connection.execute(
            "select run_id, status, failed_gate, build_gate, publish_gate, published_run_id, "
            "problems from publish.run_log order by finished_at"
        ).fetchall()
    assert log[1] == (
        "run-2",
        "failed",
        "build",
        "failed: 3 passed, 0 warned, 1 failed",
        None,
        "run-1",
        "Build gate failed: not_null_customers_customer_id",
    )
    # A killed run's half-written copy is cleaned up by the next run.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "published.duckdb",
        "w1.duckdb",
        "w1_publishable.duckdb",
    ]


def _published_by_the_first_version(path: Path) -> Path:
    """A published file as the first run log version wrote it (publishes only, five columns)."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema publish")
        connection.execute("create table marts.customers as select range as id from range(2)")
        connection.execute(
            "create table publish.run_log (run_id varchar not null, published_at timestamp "
            "not null, as_of_date date, table_count integer not null, row_count bigint not null)"
        )
        connection.execute(
            "insert into publish.run_log values "
            "('old-run', timestamp '2026-06-01 05:00:00', date '2026-05-31', 1, 2)"
        )
    return path


def test_a_run_log_of_the_first_version_is_carried_over_by_publish_and_failure(tmp_path):
    expected_old_row = ("old-run", "published", "old-run", 2)
    query = (
        "select run_id, status, published_run_id, row_count from publish.run_log "
        "order by finished_at"
    )
    published = _published_by_the_first_version(tmp_path / "published.duckdb")
    record_unpublished_run(
        published,
        RunRecord(run_id="failed-run", as_of_date=None, started_at=None, status="failed"),
    )
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute(query).fetchall() == [
            expected_old_row,
            ("failed-run", "failed", "old-run", None),
        ]
        assert connection.execute("select count(*) from marts.customers").fetchone() == (2,)

    published = _published_by_the_first_version(tmp_path / "again.duckdb")
    publish_warehouse(_working_warehouse(tmp_path / "w.duckdb", 3), published, _published("new"))
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute(query).fetchall() == [
            expected_old_row,
            ("new", "published", "new", 4),
        ]
