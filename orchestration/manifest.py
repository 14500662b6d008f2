"""Build and read dbt's manifest before the Dagster definitions are loaded.

The definitions are built from `target/manifest.json`, so the CLI and the tests parse the project
first. dbt parses in a subprocess: importing dbt into the Dagster process would pin its global
state to one project directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from orchestration.settings import PROJECT_ROOT, Settings

MANIFEST_PATH = PROJECT_ROOT / "target" / "manifest.json"


class ManifestError(RuntimeError):
    pass


def parse_dbt_project(settings: Settings) -> Path:
    """Run `dbt parse` with the settings' paths, so sources point at the chosen landing dir."""
    dbt_executable = Path(sys.executable).parent / "dbt"
    environment = {**os.environ, **settings.dbt_environment()}
    completed = subprocess.run(
        [str(dbt_executable), "parse", "--quiet"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ManifestError(
            "dbt could not parse the project:\n" + (completed.stdout + completed.stderr).strip()
        )
    load_manifest.cache_clear()
    return MANIFEST_PATH


@cache
def load_manifest() -> dict[str, Any]:
    if not MANIFEST_PATH.exists():
        raise ManifestError(f"{MANIFEST_PATH} is missing: run `dbt parse` or `cw run` first.")
    return json.loads(MANIFEST_PATH.read_text())
