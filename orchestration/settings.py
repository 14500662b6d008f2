"""Every path and setting of the warehouse, read from environment variables with defaults.

Relative defaults are resolved against the repository root, so the CLI, Dagster and plain `dbt`
run from the repo root all see the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name, default)).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    truth_dir: Path
    warehouse_path: Path
    published_path: Path
    exports_dir: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            raw_dir=_path_from_env("CW_RAW_DIR", "data/raw"),
            truth_dir=_path_from_env("CW_TRUTH_DIR", "data/ground_truth"),
            warehouse_path=_path_from_env("CW_WAREHOUSE_PATH", "data/warehouse/working.duckdb"),
            published_path=_path_from_env("CW_PUBLISHED_PATH", "data/warehouse/published.duckdb"),
            exports_dir=_path_from_env("CW_EXPORTS_DIR", "data/exports"),
            dagster_home=_path_from_env("DAGSTER_HOME", ".dagster_home"),
        )
