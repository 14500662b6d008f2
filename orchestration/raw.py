"""The landing files, and the ingest gate that checks them before dbt reads them.

Each dbt source table is one Dagster asset materialized here: the gate lists the table's files and
checks that every file has the required columns declared in the sources yml (column
`meta: {required: true}`). A table with no files, an unreadable file or a missing required column
fails the run before dbt starts, with a message naming the file and the column.
"""

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.parquet as pq

from orchestration.settings import Settings


@dataclass(frozen=True)
class RawTable:
    source_name: str
    table_name: str
    file_format: str
    required_columns: tuple[str, ...]
    asset_key: dg.AssetKey

    @property
    def label(self) -> str:
        return f"{self.source_name}.{self.table_name}"

    def folder(self, raw_dir: Path) -> Path:
        return raw_dir / self.source_name / self.table_name


def _file_format(source_props: Mapping[str, Any]) -> str:
    location = str(source_props.get("meta", {}).get("external_location", ""))
    match = re.search(r"read_(csv|parquet)", location)
    return match.group(1) if match else "csv"


def raw_tables_from_manifest(
    manifest: Mapping[str, Any], asset_key_for_source: Any
) -> list[RawTable]:
    tables = []
    for unique_id, props in sorted(manifest["sources"].items()):
        required = tuple(
            name
            for name, column in props.get("columns", {}).items()
            if column.get("meta", {}).get("required")
        )
        tables.append(
            RawTable(
                source_name=props["source_name"],
                table_name=props["name"],
                file_format=_file_format(props),
                required_columns=required,
                asset_key=asset_key_for_source(unique_id),
            )
        )
    return tables


def read_columns(path: Path, file_format: str) -> list[str]:
    """The column names of one landing file; raises ValueError when it cannot be read."""
    if file_format == "parquet":
        try:
            return list(pq.read_schema(path).names)
        except Exception as error:  # pyarrow raises several types for a damaged file
            raise ValueError(f"not a readable Parquet file ({error})") from error
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    if not header:
        raise ValueError("empty file: no header row")
    return [name.strip() for name in header]


def check_raw_table(table: RawTable, raw_dir: Path) -> tuple[list[Path], list[str]]:
    """The table's files and the problems found in them (empty when the table passes)."""
    folder = table.folder(raw_dir)
    files = sorted(folder.glob(f"*.{table.file_format}")) if folder.is_dir() else []
    if not files:
        return [], [f"{folder}: no *.{table.file_format} files for table {table.label}"]
    problems = []
    for path in files:
        try:
            columns = set(read_columns(path, table.file_format))
        except ValueError as error:
            problems.append(f"{path}: {error}")
            continue
        missing = [name for name in table.required_columns if name not in columns]
        if missing:
            problems.append(
                f"{path}: missing required column(s) {', '.join(missing)} "
                f"(table {table.label}, see docs/sources.md)"
            )
    return files, problems


def build_raw_assets(raw_tables: list[RawTable]) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            key=table.asset_key,
            group_name="raw",
            description=f"Landing files of {table.label} ({table.file_format}).",
            kinds={table.file_format},
        )
        for table in raw_tables
    ]

    @dg.multi_asset(name="raw_landing_files", specs=specs, can_subset=True)
    def raw_landing_files(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        """Ingest gate: every selected table has files, and every file its required columns."""
        settings = Settings.from_env()
        selected = [t for t in raw_tables if t.asset_key in context.selected_asset_keys]
        results, problems = [], []
        for table in selected:
            files, table_problems = check_raw_table(table, settings.raw_dir)
            problems.extend(table_problems)
            results.append(
                dg.MaterializeResult(
                    asset_key=table.asset_key,
                    metadata={
                        "folder": dg.MetadataValue.path(str(table.folder(settings.raw_dir))),
                        "file_count": len(files),
                        "bytes": sum(path.stat().st_size for path in files),
                    },
                )
            )
        if problems:
            raise dg.Failure(
                description=(
                    f"Ingest gate failed: {len(problems)} problem(s) in the landing files "
                    f"under {settings.raw_dir}:\n" + "\n".join(f"- {p}" for p in problems)
                ),
                metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems))},
                allow_retries=False,
            )
        yield from results

    return raw_landing_files
