"""Publishing copies the marts atomically and keeps a run log."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.publish import publish_warehouse


def _working_warehouse(path: Path, customers: int) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema audiences; create schema staging")
        connection.execute(
            f"create table marts.customers as select range as id from range({customers})"
        )
        connection.execute("create table audiences.aud_x as select 1 as id")
        connection.execute("create table staging.stg_x as select 1 as id")
        connection.execute("create view marts.a_view as select 1 as id")
    return path


def test_publish_copies_marts_and_audiences_only_and_appends_the_run_log(tmp_path):
    published = tmp_path / "out" / "published.duckdb"
    publish_warehouse(_working_warehouse(tmp_path / "w1.duckdb", 3), published, "run-1", None)
    result = publish_warehouse(
        _working_warehouse(tmp_path / "w2.duckdb", 5), published, "run-2", "2026-06-30"
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
            "select run_id, cast(as_of_date as varchar), row_count "
            "from publish.run_log order by published_at"
        ).fetchall()
    assert log == [("run-1", None, 4), ("run-2", "2026-06-30", 6)]
    assert sorted(p.name for p in published.parent.iterdir()) == ["published.duckdb"]


def test_a_failed_publish_leaves_the_previous_file_untouched(tmp_path):
    published = tmp_path / "published.duckdb"
    publish_warehouse(_working_warehouse(tmp_path / "w1.duckdb", 3), published, "run-1", None)
    before = published.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_warehouse(empty, published, "run-2", None)
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.duckdb",
        "published.duckdb",
        "w1.duckdb",
    ]
