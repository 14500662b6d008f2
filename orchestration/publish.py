"""Write-audit-publish: copy the gated marts and audiences into the file BI tools read.

dbt builds the `marts` and `audiences` schemas into a DuckDB file of their own next to the working
one (orchestration/warehouse.py). Only after every gate has passed does this asset copy that file
and atomically rename the copy onto the published path. A reader never sees a half-built or
failed run: it has either the previous file or the new one. `publish.run_log` in the published
file lists every run (published or failed, with each gate's result) and
`publish.published_tables` the row count of every table each publish wrote. A failed run is
logged by the same copy-and-rename, marts untouched.
"""

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.failpoints import failpoint
from orchestration.settings import Settings
from orchestration.warehouse import (
    PUBLISHED_SCHEMAS,
    publishable_path,
    quote_identifier,
    sql_string,
)

GATES = ("ingest", "build", "publish")

RUN_LOG_DDL = """
create schema if not exists publish;
create table if not exists publish.run_log (
    run_id varchar not null,
    as_of_date date,
    started_at timestamp,
    finished_at timestamp not null,
    status varchar not null,
    failed_gate varchar,
    ingest_gate varchar,
    build_gate varchar,
    publish_gate varchar,
    problems varchar,
    published_run_id varchar,
    table_count integer,
    row_count bigint
);
create table if not exists publish.published_tables (
    run_id varchar not null,
    table_name varchar not null,
    row_count bigint not null
);
"""
RUN_LOG_COLUMNS = (
    "run_id, as_of_date, started_at, finished_at, status, failed_gate, ingest_gate, build_gate, "
    "publish_gate, problems, published_run_id, table_count, row_count"
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class RunRecord:
    """One run as the run log shows it: `published`, or `failed` at a gate (or after them)."""

    run_id: str
    as_of_date: str | None
    started_at: datetime | None
    status: str
    gate_results: Mapping[str, str] = field(default_factory=dict)
    failed_gate: str | None = None
    problems: Sequence[str] = ()


@dataclass(frozen=True)
class PublishResult:
    path: Path
    row_counts: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def publish_warehouse(
    working_path: Path,
    published_path: Path,
    record: RunRecord,
    schemas: Sequence[str] = PUBLISHED_SCHEMAS,
) -> PublishResult:
    """Copy the publishable file whole, log the run in the copy, rename it onto the published path.

    dbt built the schemas into their own file (orchestration/warehouse.py); copying its bytes
    takes seconds where re-compressing tens of millions of rows into a new file took most of a
    minute. Anything else in the copy (a schema not in `schemas`, a view, whose SQL names the
    catalog it was built in) is dropped from it.
    """
    source = publishable_path(working_path)
    if not source.exists():
        raise RuntimeError(
            f"{source} does not exist: dbt builds the {', '.join(schemas)} schemas into it, "
            "so there is nothing to publish"
        )
    published_path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_files(published_path)
    staging_path = _staging_path(published_path, record.run_id)
    row_counts: dict[str, int] = {}
    try:
        # Fold a write-ahead log dbt may have left into the file: the copy must be whole alone.
        with duckdb.connect(str(source)) as connection:
            connection.execute("checkpoint")
        shutil.copyfile(source, staging_path)
        with duckdb.connect(str(staging_path)) as connection:
            _keep_only_published_tables(connection, schemas)
            tables = connection.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = current_database() and table_type = 'BASE TABLE' "
                "order by 1, 2"
            ).fetchall()
            if not tables:
                raise RuntimeError(
                    f"{source} has no tables in schemas {', '.join(schemas)}: nothing to publish"
                )
            for schema, table in tables:
                target = f"{quote_identifier(schema)}.{quote_identifier(table)}"
                row_counts[f"{schema}.{table}"] = connection.execute(
                    f"select count(*) from {target}"
                ).fetchone()[0]
            _copy_run_log(connection, published_path)
            _append_run(connection, record, published_run_id=record.run_id, row_counts=row_counts)
            connection.execute("checkpoint")
        failpoint("publish_swap")
        os.replace(staging_path, published_path)
    finally:
        _remove_database_files(staging_path)
    return PublishResult(path=published_path, row_counts=row_counts)


def _keep_only_published_tables(
    connection: duckdb.DuckDBPyConnection, schemas: Sequence[str]
) -> None:
    for schema, view in connection.execute(
        "select schema_name, view_name from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall():
        connection.execute(f"drop view {quote_identifier(schema)}.{quote_identifier(view)}")
    for (schema,) in connection.execute(
        "select schema_name from duckdb_schemas() where database_name = current_database() "
        "and not internal and not list_contains($schemas, schema_name)",
        {"schemas": list(schemas)},
    ).fetchall():
        connection.execute(f"drop schema {quote_identifier(schema)} cascade")


def record_unpublished_run(published_path: Path, record: RunRecord) -> None:
    """Log a run that published nothing, keeping the published marts exactly as they were.

    The published file is copied, the run appended to the copy's log, and the copy renamed onto
    the original: readers keep seeing the same marts, now with this run in the log.
    """
    published_path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_files(published_path)
    staging_path = _staging_path(published_path, record.run_id)
    try:
        if published_path.exists():
            shutil.copyfile(published_path, staging_path)
        with duckdb.connect(str(staging_path)) as connection:
            _upgrade_run_log(connection)
            already_logged = connection.execute(
                "select count(*) from publish.run_log where run_id = ?", [record.run_id]
            ).fetchone()[0]
            if already_logged:  # `cw run` and the failure sensor may both report one run
                return
            last = connection.execute(
                "select published_run_id from publish.run_log "
                "where published_run_id is not null order by finished_at desc limit 1"
            ).fetchone()
            _append_run(connection, record, published_run_id=last[0] if last else None)
            connection.execute("checkpoint")
        os.replace(staging_path, published_path)
    finally:
        _remove_database_files(staging_path)


def _run_log_rows(connection: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """A query for the run log in `catalog` in today's columns, whichever version wrote it."""
    columns = {
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns where table_catalog = ? "
            "and table_schema = 'publish' and table_name = 'run_log'",
            [catalog],
        ).fetchall()
    }
    if "status" in columns:
        return f"select {RUN_LOG_COLUMNS} from {catalog}.publish.run_log"
    # The first run log (run_id, published_at, as_of_date, table_count, row_count) held publishes
    # only: each row is a published run.
    return (
        "select run_id, as_of_date, null, published_at, 'published', null, null, null, null, "
        f"null, run_id, table_count, row_count from {catalog}.publish.run_log"
    )


def _upgrade_run_log(connection: duckdb.DuckDBPyConnection) -> None:
    """Bring a run log written by an earlier version to today's columns, rows kept."""
    catalog = connection.execute("select current_database()").fetchone()[0]
    has_log = connection.execute(
        "select count(*) from information_schema.tables where table_catalog = ? "
        "and table_schema = 'publish' and table_name = 'run_log'",
        [catalog],
    ).fetchone()[0]
    if has_log:
        rows = _run_log_rows(connection, catalog)
        connection.execute(f"create temp table upgraded_run_log as {rows}")
        connection.execute("drop table publish.run_log")
    connection.execute(RUN_LOG_DDL)
    if has_log:
        connection.execute(
            f"insert into publish.run_log ({RUN_LOG_COLUMNS}) select * from upgraded_run_log"
        )
        connection.execute("drop table upgraded_run_log")


def _copy_run_log(connection: duckdb.DuckDBPyConnection, published_path: Path) -> None:
    connection.execute(RUN_LOG_DDL)
    if not published_path.exists():
        return
    connection.execute(f"attach {sql_string(str(published_path))} as previous (read_only)")
    previous_tables = {
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'previous' and table_schema = 'publish'"
        ).fetchall()
    }
    if "run_log" in previous_tables:
        connection.execute(
            f"insert into publish.run_log ({RUN_LOG_COLUMNS}) "
            + _run_log_rows(connection, "previous")
        )
    if "published_tables" in previous_tables:
        connection.execute(
            "insert into publish.published_tables select * from previous.publish.published_tables"
        )
    connection.execute("detach previous")


def _append_run(
    connection: duckdb.DuckDBPyConnection,
    record: RunRecord,
    published_run_id: str | None,
    row_counts: Mapping[str, int] | None = None,
) -> None:
    connection.execute(
        f"insert into publish.run_log ({RUN_LOG_COLUMNS}) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.run_id,
            record.as_of_date,
            record.started_at,
            utc_now(),
            record.status,
            record.failed_gate,
            *(record.gate_results.get(gate) for gate in GATES),
            "\n".join(record.problems) or None,
            published_run_id,
            len(row_counts) if row_counts is not None else None,
            sum(row_counts.values()) if row_counts is not None else None,
        ],
    )
    for table_name, rows in sorted((row_counts or {}).items()):
        connection.execute(
            "insert into publish.published_tables values (?, ?, ?)",
            [record.run_id, table_name, rows],
        )


def _staging_path(published_path: Path, run_id: str) -> Path:
    return published_path.with_name(f".{published_path.name}.{run_id}.tmp")


def remove_leftover_files(published_path: Path) -> None:
    """Half-written copies a killed run left next to the published file (never the file itself)."""
    for leftover in published_path.parent.glob(f".{published_path.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def _remove_database_files(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def new_check_counts() -> dict[str, list[int]]:
    """Per gate with checks (build: dbt tests; publish: GX, identity): [passed, warned, failed]."""
    return {"build": [0, 0, 0], "publish": [0, 0, 0]}


def tally_check(counts: dict[str, list[int]], evaluation: dg.AssetCheckEvaluation) -> None:
    gate = "publish" if is_publish_gate_check(evaluation.check_name) else "build"
    if evaluation.passed:
        counts[gate][0] += 1
    elif evaluation.severity == dg.AssetCheckSeverity.WARN:
        counts[gate][1] += 1
    else:
        counts[gate][2] += 1


def gate_summary(counts: list[int], failed: bool = False) -> str:
    """`passed: 218 passed, 2 warned, 0 failed`, as the run log shows a gate."""
    passed, warned, failed_checks = counts
    verdict = "failed" if failed or failed_checks else "passed"
    return f"{verdict}: {passed} passed, {warned} warned, {failed_checks} failed"


def gate_results_so_far(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """Each gate's result in this run, from the asset check evaluations it logged."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    counts = new_check_counts()
    for record in records:
        tally_check(counts, record.event_log_entry.dagster_event.event_specific_data)
    return {"ingest": "passed", **{gate: gate_summary(c) for gate, c in counts.items()}}


def is_publish_gate_check(check_name: str) -> bool:
    """Great Expectations suites and the identity evaluation; every other check is a dbt test."""
    return check_name.startswith(("gx_", "identity_"))


def build_publish_asset(upstream_keys: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        name="published_warehouse",
        group_name="publish",
        deps=sorted(upstream_keys, key=lambda key: key.to_user_string()),
        kinds={"duckdb"},
        description="The marts and audiences, copied atomically into the file BI tools read.",
    )
    def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = Settings.from_env()
        stats = context.instance.get_run_stats(context.run_id)
        started_at = (
            datetime.fromtimestamp(stats.start_time, UTC).replace(tzinfo=None)
            if stats.start_time
            else None
        )
        record = RunRecord(
            run_id=context.run_id,
            as_of_date=settings.as_of_date.isoformat() if settings.as_of_date else None,
            started_at=started_at,
            status="published",
            gate_results=gate_results_so_far(context.instance, context.run_id),
        )
        result = publish_warehouse(settings.warehouse_path, settings.published_path, record)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "table_count": len(result.row_counts),
                "row_count": result.total_rows,
                "row_counts": dg.MetadataValue.json(result.row_counts),
                **{f"{gate}_gate": value for gate, value in record.gate_results.items()},
            }
        )

    return published_warehouse
