"""Build and read dbt's manifest before the Dagster definitions are loaded.

The definitions are built from `manifest.json` in the settings' dbt target folder (`target/` in the
project unless DBT_TARGET_PATH says otherwise), so the CLI and the tests parse the project first.
Runs with other settings parse into their own folder and never read each other's manifest
(docs/test-suite.md). dbt parses in a subprocess: importing dbt into the Dagster process would pin
its global state to one project directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from orchestration.settings import PROJECT_ROOT, Settings, dbt_target_path_from_env


class ManifestError(RuntimeError):
    pass


def manifest_path(target_path: Path | None = None) -> Path:
    """The manifest in this dbt target folder; by default the one the environment names."""
    return (target_path or dbt_target_path_from_env()) / "manifest.json"


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
    path = manifest_path(settings.dbt_target_path)
    _read_manifest.cache_clear()
    return path


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """The parsed manifest at `path`, by default the one in the environment's dbt target folder."""
    return _read_manifest(path or manifest_path())


@cache
def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ManifestError(f"{path} is missing: run `dbt parse` or `cw run` first.")
    return json.loads(path.read_text())
