"""Plain `dbt build` from the repository root, as an analytics engineer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import PROJECT_ROOT


def test_plain_dbt_build_passes_with_unit_tests(demo_data, tmp_path):
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(demo_data[0]),
        "CW_WAREHOUSE_PATH": str(tmp_path / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"),
    }
    target = tmp_path / "target"
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-5000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert all(result["status"] in ("success", "pass") for result in results)


def test_exports_with_only_the_required_columns_build(demo_data, tmp_path):
    """Your own exports may leave optional columns out, reorder columns and carry a BOM."""
    import csv
    import shutil

    import pyarrow.parquet as pq

    raw_dir = tmp_path / "raw"
    shutil.copytree(demo_data[0], raw_dir)
    required = [
        "updated_at", "order_id", "status", "currency", "subtotal_amount", "total_amount",
        "ordered_at",
    ]  # fmt: skip
    for path in (raw_dir / "shop" / "orders").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=required, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    for path in (raw_dir / "web" / "events").glob("*.parquet"):
        table = pq.read_table(path).select(
            ["event_id", "anonymous_id", "event_name", "occurred_at"]
        )
        pq.write_table(table, path)

    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(tmp_path / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"),
    }
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--exclude-resource-type",
         "unit_test", "--target-path", str(tmp_path / "target"), "--log-path",
         str(tmp_path / "logs")],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-5000:]
    import duckdb

    with duckdb.connect(str(tmp_path / "working.duckdb"), read_only=True) as connection:
        orders, guests, accountless_events = connection.execute(
            "select count(*), count(*) filter (where is_guest_checkout), "
            "(select count(*) from staging.stg_web__events where account_id is null) "
            "from staging.stg_shop__orders"
        ).fetchone()
    assert orders > 100 and guests == orders
    assert accountless_events > 100
