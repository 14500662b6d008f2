"""Dagster's local run history (SQLite under DAGSTER_HOME) without a disk flush per event.

Dagster's SQLite storage writes every event of a run on its own connection and commits it, and
each commit waits for the disk. One run of this job has about 1,500 events (each dbt model and
test, planned and done, with its asset check), so on a 2-core VM's disk the flushes alone took
40-60 s of every run, whatever the size of the data (docs/orchestration-overhead.md).

`PRAGMA synchronous=OFF` hands the flushing to the operating system. A killed run loses nothing
(the kill tests in tests/test_faults.py kill the whole process group); a power cut or kernel crash
during a run can corrupt the history file, which is then deleted and starts again. The
warehouse's own run log (`publish.run_log`, in DuckDB) does not depend on it. Deployments that
want a durable history give Dagster a Postgres storage in dagster.yaml, which this leaves alone.

`CW_DAGSTER_SQLITE_SYNCHRONOUS=FULL` restores SQLite's default.
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def synchronous_mode() -> str:
    mode = os.environ.get("CW_DAGSTER_SQLITE_SYNCHRONOUS", "OFF").strip().upper()
    if mode not in SYNCHRONOUS_MODES:
        raise ValueError(
            f"CW_DAGSTER_SQLITE_SYNCHRONOUS={mode!r}: use one of {', '.join(SYNCHRONOUS_MODES)}"
        )
    return mode


@event.listens_for(Engine, "connect")
def _set_synchronous(dbapi_connection, _connection_record) -> None:
    """Each SQLite connection opened in this process (Dagster's storage is the only user)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA synchronous={synchronous_mode()}")
        cursor.close()
