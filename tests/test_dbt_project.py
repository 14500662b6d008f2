"""Plain `dbt build` from the repository root, as an analytics engineer runs it.

One build serves both tests: the demo landing files cut down to the required columns (your own
exports may leave optional columns out, reorder columns and carry a BOM), built with every seed,
model, data test and unit test.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("dbt_project")

REQUIRED_ORDER_COLUMNS = [
    "updated_at", "order_id", "status", "currency", "subtotal_amount", "total_amount",
    "ordered_at",
]  # fmt: skip
REQUIRED_EVENT_COLUMNS = ["event_id", "anonymous_id", "event_name", "occurred_at"]


def _keep_only_required_columns(raw_dir: Path) -> None:
    for path in (raw_dir / "shop" / "orders").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=REQUIRED_ORDER_COLUMNS, extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows(rows)
    for path in (raw_dir / "web" / "events").glob("*.parquet"):
        pq.write_table(pq.read_table(path).select(REQUIRED_EVENT_COLUMNS), path)


@pytest.fixture(scope="module")
def plain_build(demo_data, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    root = tmp_path_factory.mktemp("plain_dbt_build")
    raw_dir = root / "raw"
    shutil.copytree(demo_data[0], raw_dir)
    _keep_only_required_columns(raw_dir)
    # A warehouse from before the marts moved to their own file (docs/publishing.md): a history
    # table in the working file's marts schema, which the build must move, not lose.
    with duckdb.connect(str(root / "working.duckdb")) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.legacy_history as select 42 as kept_value")
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(root / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(root / "tmp"),
    }
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--target-path", str(root / "target"),
         "--log-path", str(root / "logs")],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return completed, root


def test_plain_dbt_build_passes_with_unit_tests(plain_build):
    completed, root = plain_build
    assert completed.returncode == 0, completed.stdout[-5000:]
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert all(result["status"] in ("success", "pass") for result in results)


def test_exports_with_only_the_required_columns_build(plain_build):
    completed, root = plain_build
    assert completed.returncode == 0, completed.stdout[-5000:]
    with connect_warehouse(root / "working.duckdb") as connection:
        orders, guests, accountless_events = connection.execute(
            "select count(*), count(*) filter (where is_guest_checkout), "
            "(select count(*) from staging.stg_web__events where account_id is null) "
            "from staging.stg_shop__orders"
        ).fetchone()
    assert orders > 100 and guests == orders
    assert accountless_events > 100


def test_marts_built_by_an_earlier_layout_move_to_the_publishable_file(plain_build):
    completed, root = plain_build
    assert completed.returncode == 0, completed.stdout[-5000:]
    with duckdb.connect(str(root / "working.duckdb"), read_only=True) as connection:
        working_schemas = {
            schema
            for (schema,) in connection.execute(
                "select schema_name from duckdb_schemas()"
            ).fetchall()
        }
    assert "marts" not in working_schemas and "audiences" not in working_schemas
    with connect_warehouse(root / "working.duckdb") as connection:
        assert connection.execute("select kept_value from marts.legacy_history").fetchall() == [
            (42,)
        ]
        assert connection.execute("select count(*) from marts.customers").fetchone()[0] > 0
