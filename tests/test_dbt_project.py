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
