"""Run the daily job in-process (`cw run`) and summarize what it did."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.manifest import ManifestError, parse_dbt_project
from orchestration.publish import (
    RunRecord,
    gate_summary,
    new_check_counts,
    record_unpublished_run,
    tally_check,
    utc_now,
)
from orchestration.resource_errors import diagnose
from orchestration.schedules import customer_warehouse_daily
from orchestration.settings import Settings

JOB_NAME = customer_warehouse_daily.name
RAW_STEP = "raw_landing_files"
DBT_STEP = "customer_warehouse_dbt_assets"
QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RunReport:
    run_id: str
    success: bool
    seconds: float
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    step_failures: list[str] = field(default_factory=list)
    executed_steps: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    # gate -> [passed, warned, failed] check counts (build: dbt tests; publish: GX, identity)
    check_counts: dict[str, list[int]] = field(default_factory=new_check_counts)
    # step key -> seconds, for the steps that succeeded (benchmarks/bench_run.py reads these)
    step_seconds: dict[str, float] = field(default_factory=dict)

    def gate_results(self) -> dict[str, str]:
        """Each gate's result: passed or failed with its check counts, or not run."""
        results = {"ingest": "not run", "build": "not run", "publish": "not run"}
        if RAW_STEP in self.failed_steps:
            results["ingest"] = "failed"
        elif RAW_STEP in self.executed_steps:
            results["ingest"] = "passed"
        for gate, counts in self.check_counts.items():
            step_failed = gate == "build" and DBT_STEP in self.failed_steps
            if step_failed or any(counts):
                results[gate] = gate_summary(counts, failed=step_failed)
        return results

    def failed_gate(self) -> str | None:
        failed = [gate for gate, result in self.gate_results().items() if result.startswith("fail")]
        if failed:
            return failed[0]
        return None if self.success else "after_gates"


def execute_job(settings: Settings) -> RunReport:
    """Parse the dbt project with the settings' paths, then run the job against a real instance."""
    settings.prepare_directories()
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(settings.dbt_environment())
    parse_dbt_project(settings)
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    started_at = utc_now()
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def(JOB_NAME).execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_LOGGERS
        )
    report = report_from_result(result, time.perf_counter() - started)
    with_resource_diagnoses(report, settings)
    if not report.success:
        try:
            log_failed_run(report, settings, started_at)
        except (duckdb.Error, OSError) as error:  # never hide the run's own failure
            report.step_failures.append(
                f"The failed run could not be added to {settings.published_path}'s run log: {error}"
            )
    return report


def log_failed_run(report: RunReport, settings: Settings, started_at: datetime | None) -> None:
    """Append the failed run to the published run log; the published marts stay as they were."""
    record_unpublished_run(
        settings.published_path,
        RunRecord(
            run_id=report.run_id,
            as_of_date=settings.as_of_date.isoformat() if settings.as_of_date else None,
            started_at=started_at,
            status="failed",
            gate_results=report.gate_results(),
            failed_gate=report.failed_gate(),
            problems=report.step_failures + report.checks_failed,
        ),
    )


def report_from_result(result: dg.ExecuteInProcessResult, seconds: float) -> RunReport:
    return report_from_events(result.run_id, result.success, seconds, result.all_events)


def report_from_events(
    run_id: str, success: bool, seconds: float, events: Iterable[dg.DagsterEvent]
) -> RunReport:
    report = RunReport(run_id=run_id, success=success, seconds=seconds)
    for event in events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            tally_check(report.check_counts, evaluation)
            (report.checks_passed if evaluation.passed else report.checks_failed).append(
                name
                + (
                    f" ({evaluation.description})"
                    if not evaluation.passed and evaluation.description
                    else ""
                )
            )
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            report.executed_steps.append(event.step_key)
            report.step_seconds[event.step_key] = event.event_specific_data.duration_ms / 1000
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            report.executed_steps.append(event.step_key)
            report.failed_steps.append(event.step_key)
            data = event.event_specific_data
            failure = data.user_failure_data
            if failure and failure.description:
                message = failure.description
            else:
                error = data.error.cause or data.error
                message = f"{event.step_key}: {error.message}"
            report.step_failures.append(message.strip())
    return report


def with_resource_diagnoses(report: RunReport, settings: Settings) -> RunReport:
    """Lead the failures with a plain diagnosis when memory or disk ran out."""
    diagnoses = {diagnose(failure, settings) for failure in report.step_failures} - {None}
    report.step_failures[:0] = sorted(diagnoses)
    return report


def published_row_counts(published_path: Path) -> tuple[list[tuple[str, int]], tuple | None]:
    if not published_path.exists():
        return [], None
    with duckdb.connect(str(published_path), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name in ('marts', 'audiences') order by 1"
        ).fetchall()
        counts = [
            (name, connection.execute(f"select count(*) from {name}").fetchone()[0])
            for (name,) in tables
        ]
        last = connection.execute(
            "select run_id, finished_at from publish.run_log where status = 'published' "
            "order by finished_at desc limit 1"
        ).fetchone()
    return counts, last


def print_report(console: Console, report: RunReport, settings: Settings) -> None:
    counts, last_publish = published_row_counts(settings.published_path)
    if report.success:
        table = Table(title="Published tables")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, rows in counts:
            table.add_row(name, f"{rows:,}")
        console.print(table)
    console.print(
        f"Checks: [green]{len(report.checks_passed)} passed[/], "
        f"[{'red' if report.checks_failed else 'green'}]{len(report.checks_failed)} failed[/] "
        "(dbt tests and Great Expectations suites)."
    )
    for failed in report.checks_failed:
        console.print(f"  ✗ {failed}", style="red", markup=False, highlight=False, soft_wrap=True)
    if report.success:
        console.print(
            f"[green bold]Run {report.run_id} succeeded[/] in {report.seconds:.0f} s.\n"
            f"  Published warehouse (BI reads this): {settings.published_path}\n"
            "  Audience exports (reverse-ETL reads these): "
            f"{settings.exports_dir}/<audience>/latest.json",
            soft_wrap=True,
        )
    else:
        console.print(f"[red bold]Run {report.run_id} failed[/] after {report.seconds:.0f} s:")
        for failure in report.step_failures:
            console.print(
                f"  {failure}", style="red", markup=False, highlight=False, soft_wrap=True
            )
        unchanged = (
            f"still holds run {last_publish[0]}, published {last_publish[1]:%Y-%m-%d %H:%M:%S} UTC"
            if last_publish
            else "not created: nothing has been published yet"
        )
        console.print(
            f"Nothing was published or exported: {settings.published_path} {unchanged}.",
            soft_wrap=True,
        )
    console.print(
        "Open the Dagster UI with [bold]make ui[/] (http://127.0.0.1:3000) and the dbt docs with "
        "[bold]make docs[/] (http://127.0.0.1:8080).",
        soft_wrap=True,
    )


def write_report_json(report: RunReport, path: Path) -> None:
    """The run's outcome, step times and gate results as JSON, for scripts and benchmarks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "run_id": report.run_id,
        "success": report.success,
        "seconds": round(report.seconds, 3),
        "step_seconds": {step: round(value, 3) for step, value in report.step_seconds.items()},
        "gate_results": report.gate_results(),
        "failed_gate": report.failed_gate(),
        "checks_passed": len(report.checks_passed),
        "checks_failed": report.checks_failed,
        "problems": report.step_failures,
    }
    path.write_text(json.dumps(summary, indent=2) + "\n")


def run_job(console: Console, report_json: Path | None = None) -> bool:
    try:
        settings = Settings.from_env()
        with console.status(
            f"Running {JOB_NAME}: ingest gate, dbt build, quality gate, publish, exports"
        ):
            report = execute_job(settings)
    except (ManifestError, ValueError) as error:
        console.print(str(error), style="red", markup=False, highlight=False)
        return False
    if report_json is not None:
        write_report_json(report, report_json)
    print_report(console, report, settings)
    return report.success
