"""Faults: runs killed with SIGKILL at three points, a rerun, and readers during all of them.

Each run here is a real `cw run` process (dbt, DuckDB, Dagster, Great Expectations) on the small
demo data. Killing uses the whole process group, as a container stop or the OOM killer would:
the dbt subprocess dies with the job.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.conftest import WarehouseEnvironment, published_marts_digest

CW = str(Path(sys.executable).parent / "cw")


def _environment(root: Path, raw_dir: Path, **extra: str) -> dict[str, str]:
    """The same settings as the session's good run (tests/conftest.py), under `root`."""
    values = WarehouseEnvironment(root, raw_dir).values
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return {**environment, **values, **extra}


def _start_run(root: Path, raw_dir: Path, **extra: str) -> subprocess.Popen[bytes]:
    log = (root / "cw_run.log").open("ab")
    return subprocess.Popen(
        [CW, "run"],
        cwd=PROJECT_ROOT,
        env=_environment(root, raw_dir, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killpg reaches dbt too
    )


def _run(root: Path, raw_dir: Path) -> None:
    process = _start_run(root, raw_dir)
    assert process.wait(timeout=600) == 0, (root / "cw_run.log").read_text()[-3000:]


def _published_run_ids(published: Path) -> list[str]:
    with duckdb.connect(str(published), read_only=True) as connection:
        return [
            row[0]
            for row in connection.execute(
                "select run_id from publish.run_log where status = 'published' order by finished_at"
            ).fetchall()
        ]


class ContinuousReader:
    """A BI reader querying the published file in a loop, as a dashboard would, on a thread."""

    def __init__(self, published: Path) -> None:
        self.published = published
        self.errors: list[str] = []
        self.seen_runs: set[str] = set()
        self.queries = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read_continuously)

    def __enter__(self) -> ContinuousReader:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _read_continuously(self) -> None:
        while not self._stop.is_set():
            try:
                with duckdb.connect(str(self.published), read_only=True) as connection:
                    customers = connection.execute(
                        "select count(*) from marts.customers"
                    ).fetchone()[0]
                    run_id, logged = connection.execute(
                        "select run_id, row_count from publish.published_tables "
                        "where table_name = 'marts.customers' "
                        "and run_id = (select published_run_id from publish.run_log "
                        "order by finished_at desc limit 1)"
                    ).fetchone()
                # One file holds one run: its marts match the counts that run logged.
                if customers != logged:
                    self.errors.append(
                        f"marts.customers has {customers} rows, run {run_id} {logged}"
                    )
                self.seen_runs.add(run_id)
                self.queries += 1
            except Exception as error:  # every error a BI reader could get counts
                self.errors.append(repr(error))


def _wait_for(condition, what: str, process: subprocess.Popen[bytes], timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before {what}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _dbt_build_running(session_id: int) -> bool:
    """A `dbt build` process in the run's process group."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != session_id:
                continue
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue
        if any(part.endswith(b"dbt") for part in command) and b"build" in command:
            return True
    return False


def _kill_run_at(kill_point: str, root: Path, raw_dir: Path, marker: Path) -> None:
    """Start a run, wait until it reaches the point, SIGKILL its whole process group."""
    if kill_point == "during_dbt_build":
        process = _start_run(root, raw_dir)
        _wait_for(lambda: _dbt_build_running(process.pid), "dbt build started", process)
        time.sleep(4)  # well into the build: staging tables are being written
    else:
        marker.unlink(missing_ok=True)
        process = _start_run(
            root, raw_dir, CW_FAILPOINT=kill_point, CW_FAILPOINT_MARKER=str(marker)
        )
        _wait_for(marker.exists, f"failpoint {kill_point}", process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def killed_runs_then_a_rerun(published_run, demo_data, tmp_path_factory) -> dict:
    """Killed in dbt, then in the quality gate, then before the swap; then a normal run.

    All on a private copy of the session's good run, with a reader querying the published file
    the whole time. Each killed run starts from what the one before left behind, with no cleanup
    in between: reaching the quality gate proves dbt recovered from the kill inside its build,
    reaching the swap proves the same for the gate, and the last run publishes.
    """
    _, report, good_run_root = published_run
    assert report.success, report.step_failures
    root = tmp_path_factory.mktemp("faults")
    warehouse = Path(shutil.copytree(good_run_root, root / "run"))
    published = warehouse / "warehouse" / "published.duckdb"
    before = {"marts": published_marts_digest(published), "runs": _published_run_ids(published)}
    after_kill = {}
    with ContinuousReader(published) as reader:
        for kill_point in ("during_dbt_build", "quality_gate", "publish_swap"):
            _kill_run_at(kill_point, warehouse, demo_data[0], root / "failpoint_reached")
            after_kill[kill_point] = {
                "marts": published_marts_digest(published),
                "runs": _published_run_ids(published),
            }
        _run(warehouse, demo_data[0])
    return {
        "before": before,
        "after_kill": after_kill,
        "after_rerun": {
            "marts": published_marts_digest(published),
            "runs": _published_run_ids(published),
        },
        "reader": reader,
        "leftovers": list(published.parent.glob(".published.duckdb.*")),
    }


def test_runs_killed_at_three_points_leave_the_published_marts_intact(killed_runs_then_a_rerun):
    before = killed_runs_then_a_rerun["before"]
    for kill_point, after in killed_runs_then_a_rerun["after_kill"].items():
        assert after["marts"] == before["marts"], kill_point
        assert after["runs"] == before["runs"], kill_point
    assert not killed_runs_then_a_rerun["leftovers"], "a half-written copy is left"


def test_a_rerun_after_the_kills_publishes_the_same_marts(killed_runs_then_a_rerun):
    before = killed_runs_then_a_rerun["before"]
    after = killed_runs_then_a_rerun["after_rerun"]
    assert len(after["runs"]) == len(before["runs"]) + 1
    # Same input, same as-of date: every published mart and audience has the same rows.
    assert after["marts"] == before["marts"]


def test_readers_see_no_error_during_killed_runs_and_a_rerun(killed_runs_then_a_rerun):
    reader = killed_runs_then_a_rerun["reader"]
    assert reader.errors == []
    assert reader.queries > 20
    assert reader.seen_runs <= set(killed_runs_then_a_rerun["after_rerun"]["runs"])
