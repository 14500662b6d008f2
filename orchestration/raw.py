"""The landing files, and the ingest gate that checks them before dbt reads them.

Each dbt source table is one Dagster asset materialized here: the gate lists the table's files and
checks that every file has the required columns declared in the sources yml (column
`meta: {required: true}`). A table with no files, an unreadable file (not UTF-8, broken CSV
quoting, rows with more or fewer fields than the header, damaged Parquet) or a missing required
column fails the run before dbt starts, with a message naming the file, and the line and column
where there is one. Columns the sources yml does not document, and files without data rows, are
reported as warnings: the run goes on (dbt ignores such columns).

A file an earlier gate found clean is not read again while its size and modification time stay
the same (`KnownScans`): a daily run reads the files that landed since (docs/quality-gates.md).
"""

import csv
import io
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import dagster as dg
import pyarrow.parquet as pq

from orchestration.settings import Settings

# The column DuckDB's reader adds (`filename = true`); no export writes it.
READER_COLUMN = "filename"
# Python's csv module refuses fields over 128 KiB by default. Long values are the warehouse's to
# judge (too_long quarantines them, docs/quality-gates.md); a field past this size stops the file
# here, as DuckDB's reader would stop at its 2 MB line limit.
MAX_CSV_FIELD_CHARS = 1_000_000
# How many bad lines of one file a message lists before it only counts the rest.
LISTED_LINES = 3
# From this many bytes of CSV, the gate scans files in one process per core: Python's csv reader
# takes a core for ~40 s per 1.5 GB. Below it, starting the processes would cost more than it saves.
PARALLEL_SCAN_BYTES = 64 * 1024 * 1024
# Bump when scan_file looks for other problems: the scans kept by earlier runs are then redone.
SCAN_RULES_VERSION = 1


@dataclass(frozen=True)
class RawTable:
    source_name: str
    table_name: str
    file_format: str
    required_columns: tuple[str, ...]
    asset_key: dg.AssetKey
    # Every column the sources yml documents; empty means "do not report unexpected columns".
    documented_columns: tuple[str, ...] = ()

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
        columns = props.get("columns", {})
        required = tuple(
            name for name, column in columns.items() if column.get("meta", {}).get("required")
        )
        tables.append(
            RawTable(
                source_name=props["source_name"],
                table_name=props["name"],
                file_format=_file_format(props),
                required_columns=required,
                asset_key=asset_key_for_source(unique_id),
                documented_columns=tuple(name for name in columns if name != READER_COLUMN),
            )
        )
    return tables


class FileScan(NamedTuple):
    columns: list[str]
    row_count: int
    problems: list[str]


class RawTableCheck(NamedTuple):
    """What the ingest gate found in one table: problems fail the run, warnings do not."""

    files: list[Path]
    problems: list[str]
    warnings: list[str]
    row_count: int


class KnownScans:
    """The scans of landing files that an earlier gate found clean, by path, size and
    modification time, kept in a JSON file next to the working warehouse.

    A landing file is not changed once landed (docs/sources.md), and one rewritten anyway gets a
    new modification time, so a file with the size and time it had is not read again. Files with
    problems are never kept: they are read, and their problems named, on every run.
    """

    def __init__(self, path: Path, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self._entries = entries or {}

    @classmethod
    def load(cls, path: Path) -> "KnownScans":
        """The kept scans, or none when the file is missing, unreadable or of other rules."""
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(kept, dict) or kept.get("scan_rules_version") != SCAN_RULES_VERSION:
            return cls(path)
        return cls(path, kept.get("files", {}))

    @staticmethod
    def _stamp(file: Path) -> dict[str, int]:
        status = file.stat()
        return {"bytes": status.st_size, "modified_ns": status.st_mtime_ns}

    def get(self, file: Path) -> FileScan | None:
        """The kept scan of `file`, or None when there is none for its size and modification
        time, or the kept entry is not one this class writes (the file is then read again)."""
        entry = self._entries.get(str(file))
        if not isinstance(entry, dict):
            return None
        if {k: entry.get(k) for k in ("bytes", "modified_ns")} != self._stamp(file):
            return None
        columns, row_count = entry.get("columns"), entry.get("row_count")
        if not isinstance(columns, list) or not all(isinstance(name, str) for name in columns):
            return None
        if not isinstance(row_count, int) or isinstance(row_count, bool) or row_count < 0:
            return None
        return FileScan(list(columns), row_count, [])

    def add(self, file: Path, scan: FileScan) -> None:
        if not scan.problems:
            self._entries[str(file)] = {
                **self._stamp(file),
                "columns": scan.columns,
                "row_count": scan.row_count,
            }

    def save(self) -> None:
        """Writes the scans of the files still there. The new file replaces the old one whole, so
        a reader, or a run in another process, sees one or the other."""
        files = {name: entry for name, entry in self._entries.items() if Path(name).exists()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=self.path.parent, prefix=self.path.name, delete=False
        ) as partial:
            json.dump({"scan_rules_version": SCAN_RULES_VERSION, "files": files}, partial)
        Path(partial.name).replace(self.path)


def read_columns(path: Path, file_format: str) -> list[str]:
    """The column names of one landing file; raises ValueError when it cannot be read."""
    return scan_file(path, file_format).columns


def scan_file(path: Path, file_format: str) -> FileScan:
    """Columns, data rows and structural problems of one landing file.

    Raises ValueError when the file cannot be read at all (no header, damaged Parquet).
    """
    if file_format == "parquet":
        try:
            return FileScan(list(pq.read_schema(path).names), pq.read_metadata(path).num_rows, [])
        except Exception as error:  # pyarrow raises several types for a damaged file
            raise ValueError(f"not a readable Parquet file ({error})") from error
    return _scan_csv(path)


def _contains_nul(path: Path, chunk_bytes: int = 16 * 1024 * 1024) -> bool:
    """Whether the file holds a NUL byte anywhere: a byte search, far cheaper than looking into
    every parsed field, so rows are searched only in the rare file that has one."""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            if b"\x00" in chunk:
                return True
    return False


def _scan_csv(path: Path) -> FileScan:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD_CHARS))
    header: list[str] = []
    row_count, ragged_lines, nul_lines, problems = 0, [], [], []
    has_nul = _contains_nul(path)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader, [])
            if not header:
                raise ValueError("empty file: no header row")
            for row in reader:
                if not row:
                    continue  # a blank line: readers skip it
                row_count += 1
                if len(row) != len(header):
                    ragged_lines.append(f"line {reader.line_num}: {len(row)} fields")
                if has_nul and any("\x00" in value for value in row):
                    nul_lines.append(f"line {reader.line_num}")
        except UnicodeDecodeError:
            raise ValueError(_first_non_utf8_value(path)) from None
        except csv.Error as error:
            problems.append(f"line {reader.line_num}: not valid CSV ({error})")
    columns = [name.strip() for name in header]
    duplicated = sorted({name for name in columns if columns.count(name) > 1})
    if duplicated:
        problems.append(f"column(s) {', '.join(duplicated)} appear more than once in the header")
    if ragged_lines:
        problems.append(
            f"{len(ragged_lines)} row(s) do not have the header's {len(header)} fields "
            f"({_listed(ragged_lines)}): an unquoted comma or a missing field; quote values "
            "that contain commas"
        )
    if nul_lines:
        # DuckDB would stage the NUL; most tools downstream (and PostgreSQL) refuse it in text.
        problems.append(
            f"NUL bytes in {_listed(nul_lines)}: binary data in a text file, or a file that is "
            "not UTF-8 (UTF-16?)"
        )
    return FileScan(columns, row_count, problems)


def _listed(lines: list[str]) -> str:
    more = len(lines) - LISTED_LINES
    return "; ".join(lines[:LISTED_LINES]) + (f"; and {more} more" if more > 0 else "")


def _first_non_utf8_value(path: Path) -> str:
    """Where the first byte that is not UTF-8 sits: line, column and the byte itself."""
    header: list[str] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                decoded = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                byte = line[error.start]
                fields = next(csv.reader([line.decode("utf-8", "surrogateescape")]), [])
                column = next(
                    (
                        i
                        for i, field in enumerate(fields)
                        if any("\udc80" <= c <= "\udcff" for c in field)
                    ),
                    None,
                )
                where = f"line {number}"
                if number == 1:
                    where += " (the header)"
                elif column is not None and column < len(header):
                    where += f", column {header[column]}"
                return (
                    f"not UTF-8 text: byte 0x{byte:02x} at {where}; re-export the file as UTF-8 "
                    "(docs/sources.md)"
                )
            if number == 1:
                header = [name.strip() for name in next(csv.reader([decoded]), [])]
    return "not UTF-8 text"


def _scan_file_or_error(path: Path, file_format: str) -> FileScan | str:
    """scan_file, with the reason as text when the file cannot be read (to cross processes)."""
    try:
        return scan_file(path, file_format)
    except ValueError as error:
        return str(error)


def table_files(table: RawTable, raw_dir: Path) -> list[Path]:
    folder = table.folder(raw_dir)
    return sorted(folder.glob(f"*.{table.file_format}")) if folder.is_dir() else []


def file_scan_executor(
    tables: list[RawTable], raw_dir: Path, known_scans: KnownScans | None = None
) -> Executor | None:
    """A pool of one process per core when the CSV files to read are big enough to gain from it."""
    csv_bytes = sum(
        path.stat().st_size
        for table in tables
        if table.file_format == "csv"
        for path in table_files(table, raw_dir)
        if known_scans is None or known_scans.get(path) is None
    )
    if csv_bytes < PARALLEL_SCAN_BYTES or (os.cpu_count() or 1) < 2:
        return None
    # spawn: the Dagster step process runs threads, which a forked child must not inherit.
    return ProcessPoolExecutor(
        max_workers=os.cpu_count(), mp_context=multiprocessing.get_context("spawn")
    )


def check_raw_table(
    table: RawTable,
    raw_dir: Path,
    max_age_hours: float | None = None,
    executor: Executor | None = None,
    known_scans: KnownScans | None = None,
) -> RawTableCheck:
    """The table's files, the problems that fail the gate and the warnings that do not.

    With `max_age_hours`, a table whose newest file landed longer ago than that is stale: a
    problem (the export that should feed today's run has not arrived). With `executor`, the
    files are scanned in its processes. With `known_scans`, a file kept there is not read again,
    and every clean file read is added.
    """
    folder = table.folder(raw_dir)
    files = table_files(table, raw_dir)
    if not files:
        return RawTableCheck(
            [], [f"{folder}: no *.{table.file_format} files for table {table.label}"], [], 0
        )
    problems, warnings, row_count = [], [], 0
    if max_age_hours:
        newest = max(files, key=lambda path: path.stat().st_mtime)
        age_hours = (time.time() - newest.stat().st_mtime) / 3600
        if age_hours > max_age_hours:
            problems.append(
                f"{folder}: stale: the newest file, {newest.name}, landed {age_hours:.0f} hours "
                f"ago, more than CW_MAX_RAW_AGE_HOURS={max_age_hours:g} (table {table.label})"
            )
    scans: dict[Path, FileScan | str] = {}
    if known_scans is not None:
        scans = {path: scan for path in files if (scan := known_scans.get(path)) is not None}
    to_read = [path for path in files if path not in scans]
    formats = [table.file_format] * len(to_read)
    read = (executor.map if executor else map)(_scan_file_or_error, to_read, formats)
    for path, scan in zip(to_read, read, strict=True):
        scans[path] = scan
        if known_scans is not None and isinstance(scan, FileScan):
            known_scans.add(path, scan)
    for path in files:
        scan = scans[path]
        if isinstance(scan, str):
            problems.append(f"{path}: {scan}")
            continue
        row_count += scan.row_count
        problems.extend(f"{path}: {problem}" for problem in scan.problems)
        missing = [name for name in table.required_columns if name not in scan.columns]
        if missing:
            problems.append(
                f"{path}: missing required column(s) {', '.join(missing)} "
                f"(table {table.label}, see docs/sources.md)"
            )
        unexpected = [
            name
            for name in scan.columns
            if table.documented_columns and name not in table.documented_columns
        ]
        if unexpected:
            warnings.append(
                f"{path}: unexpected column(s) {', '.join(unexpected)} ignored "
                f"(not documented for table {table.label}, see docs/sources.md)"
            )
        if scan.row_count == 0 and not scan.problems:
            warnings.append(f"{path}: no data rows (an empty export)")
    return RawTableCheck(files, problems, warnings, row_count)


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
        # A full refresh reads every file again; the scans it finds clean are kept as usual.
        known_scans = (
            KnownScans(settings.known_scans_path)
            if settings.full_refresh
            else KnownScans.load(settings.known_scans_path)
        )
        executor = file_scan_executor(selected, settings.raw_dir, known_scans)
        try:
            checks = [
                check_raw_table(
                    table, settings.raw_dir, settings.raw_max_age_hours, executor, known_scans
                )
                for table in selected
            ]
        finally:
            if executor is not None:
                executor.shutdown()
        try:
            known_scans.save()
        except OSError as error:  # the gate's verdict stands; only the next run's saving is lost
            context.log.warning(
                f"The ingest gate could not keep its scans in {known_scans.path} ({error}): "
                "the next run reads every landing file again."
            )
        for table, check in zip(selected, checks, strict=True):
            problems.extend(check.problems)
            for warning in check.warnings:
                context.log.warning(f"Ingest gate warning: {warning}")
            metadata: dict[str, Any] = {
                "folder": dg.MetadataValue.path(str(table.folder(settings.raw_dir))),
                "file_count": len(check.files),
                "bytes": sum(path.stat().st_size for path in check.files),
                "row_count": check.row_count,
            }
            if check.warnings:
                metadata["warnings"] = dg.MetadataValue.md(
                    "\n".join(f"- {warning}" for warning in check.warnings)
                )
            results.append(dg.MaterializeResult(asset_key=table.asset_key, metadata=metadata))
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
