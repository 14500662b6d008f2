"""Audience exports: snapshot, diff against the last export, id changes, manifest."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import dagster as dg
import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.exports import Audience, export_audience

AUDIENCE = Audience(
    name="aud_test",
    relation="audiences.aud_test",
    meta={
        "channel": "email",
        "consent_purpose": "marketing",
        "message_type": "promotional",
        "priority": 1,
        "holdout_share": 0.1,
        "key": "customer_id",
        "fields": ["customer_id", "email", "score"],
    },
    asset_key=dg.AssetKey(["audiences", "aud_test"]),
)

members = st.dictionaries(
    keys=st.sampled_from([f"cus_{n:016x}" for n in range(12)]),
    values=st.tuples(
        st.sampled_from(["a@x.com", "b@x.com", "c@x.com"]),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    max_size=12,
)


def _publish(path: Path, rows: dict, id_changes: list[tuple] = ()) -> Path:
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema audiences; create schema marts")
        connection.execute(
            "create table audiences.aud_test (customer_id varchar, email varchar, score integer)"
        )
        for key, (email, score) in rows.items():
            connection.execute(
                "insert into audiences.aud_test values (?, ?, ?)", [key, email, score]
            )
        connection.execute(
            "create table marts.customer_id_changes (from_customer_id varchar, "
            "to_customer_id varchar, change_type varchar, changed_at timestamp)"
        )
        for change in id_changes:
            connection.execute("insert into marts.customer_id_changes values (?, ?, ?, ?)", change)
    return path


def _rows(path: Path) -> set[tuple]:
    with duckdb.connect() as connection:
        return set(
            connection.execute(
                f"select customer_id, email, score from read_parquet('{path}')"
            ).fetchall()
        )


def _apply(previous: set[tuple], diff_path: Path) -> set[tuple]:
    with duckdb.connect() as connection:
        diff = connection.execute(
            f"select change, customer_id, email, score from read_parquet('{diff_path}')"
        ).fetchall()
    touched = {row[1] for row in diff}
    kept = {row for row in previous if row[0] not in touched}
    return kept | {row[1:] for row in diff if row[0] in ("added", "changed")}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=members, second=members)
def test_applying_the_diff_to_the_previous_snapshot_gives_the_new_one(tmp_path, first, second):
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    exports = root / "exports"
    export_audience(AUDIENCE, _publish(root / "p.duckdb", first), exports, "run-1")
    manifest = export_audience(AUDIENCE, _publish(root / "p.duckdb", second), exports, "run-2")

    previous = _rows(exports / "aud_test" / "run-1" / "aud_test.parquet")
    current = _rows(exports / "aud_test" / "run-2" / "aud_test.parquet")
    assert _apply(previous, exports / "aud_test" / "run-2" / "diff.parquet") == current
    assert manifest["previous_run_id"] == "run-1"
    assert manifest["diff"]["added"] == len(second.keys() - first.keys())
    assert manifest["diff"]["removed"] == len(first.keys() - second.keys())
    assert manifest["diff"]["changed"] == sum(
        1 for key in first.keys() & second.keys() if first[key] != second[key]
    )


def test_first_export_is_all_added_and_lists_id_changes_since_the_last_export(tmp_path):
    exports = tmp_path / "exports"
    merge = ("cus_000000000000000a", "cus_0000000000000001", "merge", "2020-01-01 00:00:00")
    rows = {"cus_0000000000000001": ("a@x.com", 1)}
    first = export_audience(AUDIENCE, _publish(tmp_path / "p.duckdb", rows, [merge]), exports, "r1")
    assert first["previous_run_id"] is None
    assert first["diff"] == {"added": 1, "removed": 0, "changed": 0}
    assert first["customer_id_changes"] == 1
    assert [column["name"] for column in first["schema"]] == ["customer_id", "email", "score"]
    folder = exports / "aud_test" / "r1"
    lines = (folder / "aud_test.jsonl").read_text().splitlines()
    assert [json.loads(line)["customer_id"] for line in lines] == ["cus_0000000000000001"]

    later = ("cus_000000000000000b", "cus_0000000000000001", "merge", "2999-01-01 00:00:00")
    second = export_audience(
        AUDIENCE, _publish(tmp_path / "p.duckdb", rows, [merge, later]), exports, "r2"
    )
    assert second["diff"] == {"added": 0, "removed": 0, "changed": 0}
    changes = (exports / "aud_test" / "r2" / "customer_id_changes.csv").read_text().splitlines()
    assert len(changes) == 2 and changes[1].startswith("cus_000000000000000b,")
    latest = json.loads((exports / "aud_test" / "latest.json").read_text())
    assert latest["run_id"] == "r2"
