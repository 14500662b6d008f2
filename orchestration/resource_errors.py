"""Plain-language diagnoses for the two resource failures a run can hit: memory and disk.

DuckDB's own messages (`Out of Memory Error: could not allocate block ...`, `IO Error: Could
not write file ...: No space left on device`) come from deep inside dbt or the publish step.
`diagnose` recognizes them in any failure message and says what ran out and which setting or
folder to change, so the run summary leads with that instead of a stack of internals.
"""

import os
import shutil
from pathlib import Path

from orchestration.settings import Settings

OUT_OF_MEMORY_MARKERS = ("out of memory error", "memoryerror", "cannot allocate memory")
DISK_FULL_MARKERS = (
    "no space left on device",
    "disk full",
    "maximum temporary directory size",
    "max_temp_directory_size",
)


def _free_space(path: Path) -> str:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return f"{shutil.disk_usage(candidate).free / 1e9:.1f} GB free"
    return "free space unknown"


def diagnose(message: str, settings: Settings) -> str | None:
    """One sentence naming the exhausted resource and the fix, or None for other failures."""
    lowered = message.lower()
    if any(marker in lowered for marker in DISK_FULL_MARKERS):
        folders = sorted({settings.warehouse_path.parent, settings.duckdb_temp_dir})
        where = "; ".join(f"{folder} ({_free_space(folder)})" for folder in folders)
        return (
            "Disk full: the run could not write its working files. Free space under "
            f"{where}, or point CW_WAREHOUSE_PATH / CW_DUCKDB_TEMP_DIR at a bigger disk. "
            "The published warehouse was not touched."
        )
    if any(marker in lowered for marker in OUT_OF_MEMORY_MARKERS):
        limit = os.environ.get("CW_DUCKDB_MEMORY_LIMIT", "6GB")
        temp_dir = settings.duckdb_temp_dir
        return (
            f"Out of memory: DuckDB hit its memory limit (CW_DUCKDB_MEMORY_LIMIT={limit}) and "
            f"could not spill to {temp_dir} ({_free_space(temp_dir)}). "
            "Raise CW_DUCKDB_MEMORY_LIMIT (below the machine's RAM) or give the temp directory "
            "more disk. The published warehouse was not touched."
        )
    return None
