"""Every path and setting of the warehouse, read from environment variables with defaults.

Relative defaults are resolved against the repository root, so the CLI, Dagster and plain `dbt`
run from the repo root all see the same files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variables the dbt profile and sources read (profiles.yml, _<source>__sources.yml).
DBT_PATH_VARIABLES = ("CW_RAW_DIR", "CW_WAREHOUSE_PATH", "CW_DUCKDB_TEMP_DIR")


def dbt_target_path_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """dbt's artifact folder (manifest.json, partial_parse.msgpack), from dbt's own DBT_TARGET_PATH
    in `environ` (default: this process's environment).

    Each set of settings may have its own, so runs with other landing folders never share a
    manifest (docs/test-suite.md). dagster-dbt puts each build's folder inside it too.
    """
    return _path_from_env("DBT_TARGET_PATH", "target", environ)


def dbt_log_path_from_env() -> Path:
    return _path_from_env("DBT_LOG_PATH", "logs")


def _path_from_env(name: str, default: str, environ: Mapping[str, str] | None = None) -> Path:
    path = Path((os.environ if environ is None else environ).get(name, default)).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _date_from_env(name: str) -> date | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{name}={value!r} is not a date in YYYY-MM-DD form") from error


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    truth_dir: Path
    warehouse_path: Path
    published_path: Path
    exports_dir: Path
    dagster_home: Path
    expectations_dir: Path
    as_of_date: date | None
    min_identity_precision: float
    volume_change_band: float
    max_raw_age_hours: float
    # Rebuild the incremental models from every landing file (docs/incremental-processing.md).
    full_refresh: bool = False
    dbt_target_path: Path = PROJECT_ROOT / "target"
    dbt_log_path: Path = PROJECT_ROOT / "logs"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            raw_dir=_path_from_env("CW_RAW_DIR", "data/raw"),
            truth_dir=_path_from_env("CW_TRUTH_DIR", "data/ground_truth"),
            warehouse_path=_path_from_env("CW_WAREHOUSE_PATH", "data/warehouse/working.duckdb"),
            published_path=_path_from_env("CW_PUBLISHED_PATH", "data/warehouse/published.duckdb"),
            exports_dir=_path_from_env("CW_EXPORTS_DIR", "data/exports"),
            dagster_home=_path_from_env("DAGSTER_HOME", ".dagster_home"),
            expectations_dir=_path_from_env("CW_EXPECTATIONS_DIR", "expectations"),
            as_of_date=_date_from_env("CW_AS_OF_DATE"),
            min_identity_precision=float(os.environ.get("CW_MIN_IDENTITY_PRECISION", "0.99")),
            volume_change_band=float(os.environ.get("CW_VOLUME_CHANGE_BAND", "0.5")),
            max_raw_age_hours=float(os.environ.get("CW_MAX_RAW_AGE_HOURS", "72")),
            full_refresh=os.environ.get("CW_FULL_REFRESH", "").lower() in ("1", "true", "yes"),
            dbt_target_path=dbt_target_path_from_env(),
            dbt_log_path=dbt_log_path_from_env(),
        )

    @property
    def raw_max_age_hours(self) -> float | None:
        """Freshness bar of the ingest gate: off for backfills (an as-of date) and when 0."""
        return None if self.as_of_date or not self.max_raw_age_hours else self.max_raw_age_hours

    @property
    def known_scans_path(self) -> Path:
        """Where the ingest gate keeps the scans of the landing files it found clean
        (orchestration/raw.py, KnownScans): next to the working warehouse."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + "_ingest_scans.json")

    @property
    def duckdb_temp_dir(self) -> Path:
        return _path_from_env("CW_DUCKDB_TEMP_DIR", str(self.warehouse_path.parent / "tmp"))

    def dbt_environment(self) -> dict[str, str]:
        """Absolute paths for the dbt subprocess, whatever directory it is started from, and the
        as-of date ('' for none). The date goes through the environment, not --vars, so that the
        build reuses the parse `cw run` made (macros/as_of_date_setting.sql)."""
        return {
            "CW_AS_OF_DATE": self.as_of_date.isoformat() if self.as_of_date else "",
            "CW_RAW_DIR": str(self.raw_dir),
            "CW_WAREHOUSE_PATH": str(self.warehouse_path),
            "CW_DUCKDB_TEMP_DIR": str(self.duckdb_temp_dir),
            "DBT_TARGET_PATH": str(self.dbt_target_path),
            "DBT_LOG_PATH": str(self.dbt_log_path),
        }

    def prepare_directories(self) -> None:
        for directory in (
            self.warehouse_path.parent,
            self.published_path.parent,
            self.duckdb_temp_dir,
            self.exports_dir,
            self.dagster_home,
        ):
            directory.mkdir(parents=True, exist_ok=True)
