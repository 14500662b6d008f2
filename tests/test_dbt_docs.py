"""`dbt docs generate` (what `make docs` runs) works on a fresh warehouse, and every published
mart and audience is described to the column under an enforced contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import PROJECT_ROOT


def test_dbt_docs_generate_writes_the_catalog(demo_data, tmp_path):
    target = tmp_path / "target"
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(demo_data[0]),
        "CW_WAREHOUSE_PATH": str(tmp_path / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"),
    }
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "docs", "generate", "--target-path",
         str(target), "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-5000:]
    assert (target / "index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text())
    assert catalog["errors"] is None
    manifest = json.loads((target / "manifest.json").read_text())
    published = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] in ("marts", "audiences")
    ]
    assert len(published) > 20
    for node in published:
        assert node["description"], node["name"]
        assert node["config"]["contract"]["enforced"], f"{node['name']}: contract not enforced"
        assert node["columns"], node["name"]
        for name, column in node["columns"].items():
            assert column["description"], f"{node['name']}.{name} is not described"
            assert column["data_type"], f"{node['name']}.{name} has no data type"
