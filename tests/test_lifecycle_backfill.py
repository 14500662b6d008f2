"""Backfill: a run for a past as-of date gives the lifecycle a run on that day would have given.

Two real dbt builds on the demo data, both with as_of_date = D: one on the full landing files,
one on the files as they stood on D (every row whose timestamps all fall on or before D). The
lifecycle marts must be identical. customers.lifecycle_stage is the current history interval (data
test assert_customer_stage_matches_lifecycle_history), so it follows.

Staging quarantines rows stamped more than future_timestamp_tolerance_hours after the end of the
as-of day, so the full build still stages a day of later rows (orders placed or updated after D, web
events) that the lifecycle models themselves must ignore. Lifting that limit altogether is not a
fair comparison: identity resolution then links records through later identifiers, which changes
some customer ids (docs/customer-360.md, "Backfills").
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("lifecycle_backfill")

BACKFILL_DATE = date(2026, 3, 31)
LIFECYCLE_MARTS = (
    "customer_lifecycle_history",
    "customer_lifecycle_monthly",
    "lifecycle_transitions_monthly",
    "lifecycle_flows_monthly",
)


def timestamp_columns(columns: list[str]) -> list[str]:
    """Columns saying when something happened (date_of_birth is not one)."""
    return [name for name in columns if name.endswith("_at") or name == "spend_date"]


def happened_by(value: object, cutoff: datetime) -> bool:
    """True when a timestamp is before the cutoff, or is empty or unreadable (kept as it is)."""
    if value is None or value == "":
        return True
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment < cutoff


def truncate_landing(source: Path, target: Path, as_of: date) -> None:
    """Copies the landing folder keeping only rows whose timestamps all fall on or before as_of."""
    cutoff = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) + timedelta(days=1)
    shutil.copytree(source, target)
    for path in target.rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        checked = timestamp_columns(fields)
        kept = [row for row in rows if all(happened_by(row[name], cutoff) for name in checked)]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
    for path in target.rglob("*.parquet"):
        table = pq.read_table(path)
        checked = timestamp_columns(table.column_names)
        columns = {name: table.column(name).to_pylist() for name in checked}
        mask = [
            all(happened_by(columns[name][index], cutoff) for name in checked)
            for index in range(table.num_rows)
        ]
        pq.write_table(table.filter(mask), path)


def build_lifecycle(raw_dir: Path, root: Path, as_of: date) -> Path:
    """Builds the seeds and models behind the lifecycle marts, with the tests of those nodes:
    the build gate must pass a backfill too (later rows, quarantined as future_timestamp, do not
    count against max_rejected_share when as_of_date is set)."""
    warehouse = root / "working.duckdb"
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(root / "tmp"),
    }
    selection = [f"+{mart}" for mart in LIFECYCLE_MARTS]
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--select", *selection,
         "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
         "--vars", f"{{as_of_date: '{as_of.isoformat()}'}}",
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-5000:]
    return warehouse


def rows_of(warehouse: Path, query: str) -> list[tuple]:
    with connect_warehouse(warehouse) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def backfill_builds(demo_data, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("backfill")
    truncated_raw = root / "raw_as_of"
    truncate_landing(demo_data[0], truncated_raw, BACKFILL_DATE)
    full = build_lifecycle(demo_data[0], root / "full", BACKFILL_DATE)
    as_of_day = build_lifecycle(truncated_raw, root / "as_of_day", BACKFILL_DATE)
    return full, as_of_day


@pytest.mark.parametrize("mart", LIFECYCLE_MARTS)
def test_backfilled_lifecycle_mart_equals_a_run_on_that_day(backfill_builds, mart):
    full, as_of_day = backfill_builds
    query = f"select * from marts.{mart} order by all"
    expected = rows_of(as_of_day, query)
    assert expected, f"{mart} is empty: the comparison would prove nothing"
    assert rows_of(full, query) == expected


def test_the_full_files_do_reach_past_the_backfill_date(backfill_builds):
    """Guards the test itself: the full build must have staged later rows to ignore."""
    full, as_of_day = backfill_builds
    next_day = BACKFILL_DATE + timedelta(days=1)
    later_rows = (
        f"select (select count(*) from staging.stg_shop__orders where updated_at >= '{next_day}')"
        f" + (select count(*) from staging.stg_web__events where occurred_at >= '{next_day}')"
    )
    assert rows_of(full, later_rows)[0][0] > 0
    assert rows_of(as_of_day, later_rows)[0][0] == 0


def daily_stages(order_days: list[date], first_seen: date, as_of: date) -> list[tuple]:
    """The lifecycle rules of docs/lifecycle-and-metrics.md (default vars), applied day by day."""
    at_risk_after, churned_after, reactivation = [], [], []
    for index in range(len(order_days)):
        gaps = [(order_days[j] - order_days[j - 1]).days for j in range(1, index + 1)]
        if index + 1 >= 3:
            cadence = statistics.median(gaps)
            at_risk_after.append(max(90, math.ceil(2 * cadence)))
            churned_after.append(max(180, math.ceil(4 * cadence)))
        else:
            at_risk_after.append(90)
            churned_after.append(180)
        reactivation.append(index > 0 and gaps[-1] > churned_after[index - 1])
    intervals: list[list] = []
    latest = -1
    day = first_seen
    while day <= as_of:
        while latest + 1 < len(order_days) and order_days[latest + 1] <= day:
            latest += 1
        if latest < 0:
            stage = "lead"
        else:
            since = (day - order_days[latest]).days
            if since > churned_after[latest]:
                stage = "churned"
            elif since > at_risk_after[latest]:
                stage = "at_risk"
            elif (day - order_days[0]).days <= 30:
                stage = "new"
            elif reactivation[latest]:
                stage = "reactivated"
            else:
                stage = "active"
        if intervals and intervals[-1][0] == stage:
            intervals[-1][2] = day
        else:
            intervals.append([stage, day, day])
        day += timedelta(days=1)
    return [tuple(interval) for interval in intervals]


def test_history_equals_a_day_by_day_evaluation_of_the_rules(backfill_builds):
    """The per-change history gives the stage a daily evaluation gives, on every day."""
    _, warehouse = backfill_builds
    orders = rows_of(
        warehouse,
        "select customer_id, cast(ordered_at as date) from intermediate.int_orders_resolved "
        f"where is_completed and cast(ordered_at as date) <= date '{BACKFILL_DATE}' "
        f"and cast(updated_at as date) <= date '{BACKFILL_DATE}'",
    )
    order_days: dict[str, set[date]] = {}
    for customer_id, day in orders:
        order_days.setdefault(customer_id, set()).add(day)
    profiles = rows_of(
        warehouse,
        "select customer_id, cast(first_seen_at as date) from intermediate.int_customer_profiles "
        f"where cast(first_seen_at as date) <= date '{BACKFILL_DATE}'",
    )
    expected = sorted(
        (customer_id, *interval)
        for customer_id, first_seen in profiles
        for interval in daily_stages(
            sorted(order_days.get(customer_id, ())), first_seen, BACKFILL_DATE
        )
    )
    history = rows_of(
        warehouse,
        "select customer_id, lifecycle_stage, valid_from_date, valid_to_date "
        "from marts.customer_lifecycle_history order by all",
    )
    assert {stage for _, stage, *_ in expected} >= {"lead", "new", "active", "at_risk", "churned"}
    assert history == expected
