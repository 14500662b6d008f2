"""A day's drop of new and changed records on top of an existing landing directory.

What an incremental run sees on a normal day (docs/incremental-processing.md): about `share` of
the rows of each append-heavy table again, as new records of people already known (new ids,
timestamps moved to `day`), a tenth of them late (`late_days` before `day`), and new versions of
about `share` of the orders (a later `updated_at`, a new status) and shop accounts (a new city).
Each table gets one new file, `<table>_daily_<YYYYMMDD>.<csv|parquet>`, beside the files already
there; nothing is rewritten. The rows are picked by a hash of their key, day and seed, so the same
arguments give the same files.

    python -m orchestration.daily_batch --raw-dir data/raw --day 2026-07-01 --share 0.01
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from orchestration.generate import PARQUET_TABLES, TABLES

# table -> (key column, time columns moved to the day) for tables that get new records
NEW_RECORDS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("web", "events"): ("event_id", ("occurred_at",)),
    ("email", "engagement_events"): ("email_event_id", ("occurred_at",)),
    ("shop", "orders"): ("order_id", ("ordered_at", "updated_at")),
    ("consent", "events"): ("consent_event_id", ("occurred_at",)),
    ("support", "tickets"): ("ticket_id", ("created_at",)),
}
# Values new records get whatever the copied row held: new tickets are open, not answered yet.
NEW_RECORD_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("support", "tickets"): {
        "status": "'open'",
        "first_response_at": "null",
        "resolved_at": "null",
        "csat_score": "null",
    },
}
# table -> (key column, version column, changed column and its new value) for new versions
CHANGED_RECORDS: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("shop", "orders"): ("order_id", "updated_at", "status", "'returned'"),
    ("shop", "customers"): ("account_id", "updated_at", "city", "'Changed City'"),
}
# A tenth of the new records arrive late: their time is this many days before the day.
LATE_SHARE = 0.1


def _reader(raw_dir: Path, table: tuple[str, str]) -> str:
    folder = raw_dir / table[0] / table[1]
    if table in PARQUET_TABLES:
        return f"read_parquet('{folder}/*.parquet', union_by_name = true, filename = true)"
    return (
        f"read_csv('{folder}/*.csv', all_varchar = true, union_by_name = true, header = true, "
        "filename = true)"
    )


def _picked(key: str, salt: str, share: float) -> str:
    """A deterministic `share` of the rows, by an md5 of their key and the salt."""
    threshold = f"{min(int(share * 65536), 65535):04x}"
    return f"left(md5({key} || '{salt}'), 4) < '{threshold}'"


def _moved(column: str, day: date, days_back: str, is_text: bool) -> str:
    """The column's time of day on `day` minus `days_back` days; unparseable text stays as is."""
    value = f"try_cast({column} as timestamptz)" if is_text else column
    moved = (
        f"cast(date '{day.isoformat()}' as timestamptz) - to_days({days_back})"
        f" + ({value} - date_trunc('day', {value}))"
    )
    if not is_text:
        return moved
    return f"coalesce(strftime({moved}, '%Y-%m-%dT%H:%M:%SZ'), {column})"


def _write(connection: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    count = connection.execute(f"select count(*) from ({query})").fetchone()[0]
    options = "(format parquet, compression zstd)" if path.suffix == ".parquet" else "(header)"
    connection.execute(f"copy ({query}) to '{path}' {options}")
    return count


def write_daily_batch(
    raw_dir: Path, day: date, share: float = 0.01, seed: int = 1, late_days: int = 3
) -> dict[str, int]:
    """Writes one new file per touched table; returns the rows written per table."""
    raw_dir = Path(raw_dir)
    salt = f"{day.isoformat()}-{seed}"
    suffix = f"_daily_{day:%Y%m%d}"
    written: dict[str, int] = {}
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        for table, columns in TABLES.items():
            selects = []
            is_text = table not in PARQUET_TABLES
            if table in NEW_RECORDS:
                key, time_columns = NEW_RECORDS[table]
                is_late = _picked(key, salt + "late", LATE_SHARE)
                late = f"case when {is_late} then {late_days} else 0 end"
                replaced = {
                    key: f"{key} || '{suffix}' as {key}",
                    **{c: f"{_moved(c, day, late, is_text)} as {c}" for c in time_columns},
                    **{
                        c: f"{value} as {c}"
                        for c, value in NEW_RECORD_VALUES.get(table, {}).items()
                    },
                }
                selects.append(
                    _batch_select(table, columns, replaced, _picked(key, salt, share), raw_dir)
                )
            if table in CHANGED_RECORDS:
                key, version, column, value = CHANGED_RECORDS[table]
                replaced = {
                    version: f"{_moved(version, day, '0', is_text)} as {version}",
                    column: f"{value} as {column}",
                }
                selects.append(
                    _batch_select(
                        table, columns, replaced, _picked(key, salt + "changed", share), raw_dir
                    )
                )
            if table == ("shop", "order_items"):
                # the lines of the new orders
                orders_key = NEW_RECORDS[("shop", "orders")][0]
                replaced = {
                    "order_item_id": f"order_item_id || '{suffix}' as order_item_id",
                    "order_id": f"order_id || '{suffix}' as order_id",
                }
                selects.append(
                    _batch_select(
                        table, columns, replaced, _picked(orders_key, salt, share), raw_dir
                    )
                )
            if not selects:
                continue
            folder = raw_dir / table[0] / table[1]
            extension = "parquet" if table in PARQUET_TABLES else "csv"
            query = " union all ".join(f"({select})" for select in selects)
            path = folder / f"{table[1]}{suffix}.{extension}"
            written[f"{table[0]}.{table[1]}"] = _write(connection, query, path)
    return written


def _batch_select(
    table: tuple[str, str],
    columns: Sequence[str],
    replaced: dict[str, str],
    condition: str,
    raw_dir: Path,
) -> str:
    """The picked rows of the table's existing files (not earlier daily drops), some columns
    replaced, one row per distinct row (the demo files hold exact duplicates)."""
    select_list = ", ".join(replaced.get(column, column) for column in columns)
    return (
        f"select distinct {select_list} from {_reader(raw_dir, table)} "
        f"where {condition} and filename not like '%\\_daily\\_%' escape '\\'"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.daily_batch", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="landing dir")
    parser.add_argument("--day", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--share", type=float, default=0.01, help="share of rows (0.01 = 1%%)")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args(argv)
    for table, rows in write_daily_batch(
        arguments.raw_dir, arguments.day, arguments.share, arguments.seed
    ).items():
        print(f"{table:32s} {rows:>9,d}")


if __name__ == "__main__":
    main()
