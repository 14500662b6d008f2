"""Write-audit-publish: copy the gated marts and audiences into the file BI tools read.

dbt builds into the working DuckDB. Only after every gate has passed does this asset copy the
tables of the `marts` and `audiences` schemas into a new DuckDB file and atomically rename it onto
the published path. A reader never sees a half-built or failed run: it has either the previous
file or the new one. `publish.run_log` in the published file lists every publish so far.
"""

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import Settings

PUBLISHED_SCHEMAS = ("marts", "audiences")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    row_counts: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def publish_warehouse(
    working_path: Path,
    published_path: Path,
    run_id: str,
    as_of_date: str | None,
    schemas: Sequence[str] = PUBLISHED_SCHEMAS,
) -> PublishResult:
    published_path.parent.mkdir(parents=True, exist_ok=True)
    staging_path = published_path.with_name(f".{published_path.name}.{run_id}.tmp")
    _remove_database_files(staging_path)
    row_counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(staging_path)) as connection:
            connection.execute(f"attach {_sql_string(str(working_path))} as working (read_only)")
            tables = connection.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = 'working' and table_type = 'BASE TABLE' "
                "and list_contains($schemas, table_schema) order by 1, 2",
                {"schemas": list(schemas)},
            ).fetchall()
            if not tables:
                raise RuntimeError(
                    f"{working_path} has no tables in schemas {', '.join(schemas)}: "
                    "nothing to publish"
                )
            for schema, table in tables:
                connection.execute(f"create schema if not exists {_quote(schema)}")
                target = f"{_quote(schema)}.{_quote(table)}"
                connection.execute(f"create table {target} as select * from working.{target}")
                row_counts[f"{schema}.{table}"] = connection.execute(
                    f"select count(*) from {target}"
                ).fetchone()[0]
            connection.execute("detach working")
            _write_run_log(connection, published_path, run_id, as_of_date, row_counts)
            connection.execute("checkpoint")
        os.replace(staging_path, published_path)
    finally:
        _remove_database_files(staging_path)
    return PublishResult(path=published_path, row_counts=row_counts)


def _write_run_log(
    connection: duckdb.DuckDBPyConnection,
    published_path: Path,
    run_id: str,
    as_of_date: str | None,
    row_counts: dict[str, int],
) -> None:
    connection.execute("create schema publish")
    connection.execute(
        "create table publish.run_log ("
        "run_id varchar not null, published_at timestamp not null, as_of_date date, "
        "table_count integer not null, row_count bigint not null)"
    )
    if published_path.exists():
        connection.execute(f"attach {_sql_string(str(published_path))} as previous (read_only)")
        has_log = connection.execute(
            "select count(*) from information_schema.tables where table_catalog = 'previous' "
            "and table_schema = 'publish' and table_name = 'run_log'"
        ).fetchone()[0]
        if has_log:
            connection.execute("insert into publish.run_log select * from previous.publish.run_log")
        connection.execute("detach previous")
    connection.execute(
        "insert into publish.run_log values (?, ?, ?, ?, ?)",
        [
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
            as_of_date,
            len(row_counts),
            sum(row_counts.values()),
        ],
    )


def _remove_database_files(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


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
        result = publish_warehouse(
            working_path=settings.warehouse_path,
            published_path=settings.published_path,
            run_id=context.run_id,
            as_of_date=settings.as_of_date.isoformat() if settings.as_of_date else None,
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "table_count": len(result.row_counts),
                "row_count": result.total_rows,
                "row_counts": dg.MetadataValue.json(result.row_counts),
            }
        )

    return published_warehouse
