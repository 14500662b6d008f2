"""Failed runs launched from the Dagster UI or the schedule go into the run log too.

`cw run` logs its own failures (orchestration/runner.py). Runs the Dagster daemon launches have
no such caller, so this run-failure sensor rebuilds the same report from the run's event log and
appends it to `publish.run_log`. Logging is idempotent per run id: both paths may report a run.
"""

from datetime import UTC, datetime

import dagster as dg

from orchestration.runner import log_failed_run, report_from_events
from orchestration.settings import Settings


@dg.run_failure_sensor(
    name="log_failed_runs_in_the_run_log",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Appends every failed run, with its gate results, to publish.run_log.",
)
def log_failed_runs(context: dg.RunFailureSensorContext) -> None:
    run_id = context.dagster_run.run_id
    instance = context.instance
    events = [entry.dagster_event for entry in instance.all_logs(run_id) if entry.is_dagster_event]
    stats = instance.get_run_stats(run_id)
    started_at = (
        datetime.fromtimestamp(stats.start_time, UTC).replace(tzinfo=None)
        if stats.start_time
        else None
    )
    report = report_from_events(run_id, success=False, seconds=0.0, events=events)
    log_failed_run(report, Settings.from_env(), started_at)
