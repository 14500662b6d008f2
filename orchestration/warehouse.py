"""The working warehouse: the DuckDB file dbt builds, and the file its marts and audiences go to.

dbt builds staging and intermediate models into the working file, and the published schemas
(marts, audiences) into a file of their own next to it, attached to every dbt connection as the
catalog `publishable` (profiles.yml, macros/generate_database_name.sql). Publishing copies that
file whole instead of re-compressing every row into a new one (docs/publishing.md).
"""

import re
from pathlib import Path

import duckdb

PUBLISHABLE_CATALOG = "publishable"
PUBLISHED_SCHEMAS = ("marts", "audiences")


def quote_identifier(identifier: str) -> str:
    """A DuckDB identifier in double quotes, safe whatever it contains."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """A SQL string literal, safe whatever the text (paths with quotes included)."""
    return "'" + value.replace("'", "''") + "'"


def publishable_path(warehouse_path: Path) -> Path:
    """The file dbt builds the marts and audiences into, next to the working file.

    `working.duckdb` gives `working_publishable.duckdb`; profiles.yml derives the same path from
    CW_WAREHOUSE_PATH with the same expression.
    """
    return Path(re.sub(r"([.]duckdb)?$", "_publishable.duckdb", str(warehouse_path), count=1))


def connect_warehouse(warehouse_path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the working file where `marts.x` and `audiences.x` name the built marts.

    The publishable file is attached (read-only when the connection is) and put on the search
    path, so queries read as they would on the published file. A file without a publishable
    sibling (the published file itself, a warehouse built before the split) opens as it is.
    """
    connection = duckdb.connect(str(warehouse_path), read_only=read_only)
    publishable = publishable_path(warehouse_path)
    if not publishable.exists():
        return connection
    try:
        mode = " (read_only)" if read_only else ""
        connection.execute(f"attach {sql_string(str(publishable))} as {PUBLISHABLE_CATALOG}{mode}")
        catalog = connection.execute("select current_database()").fetchone()[0]
        built_schemas = connection.execute(
            "select schema_name from duckdb_schemas() where database_name = ? "
            "and list_contains(?, schema_name) order by schema_name",
            [PUBLISHABLE_CATALOG, list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        search_path = [f"{quote_identifier(catalog)}.main"] + [
            f"{PUBLISHABLE_CATALOG}.{schema}" for (schema,) in built_schemas
        ]
        connection.execute(f"set search_path = {sql_string(','.join(search_path))}")
    except Exception:
        connection.close()
        raise
    return connection
