"""The Dagster job end to end a good run publishes; a failed gate publishes nothing."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.evaluation import evaluate_identity
from orchestration.runner import execute_job, report_from_events
from orchestration.settings import PROJECT_ROOT
from tests.conftest import WarehouseEnvironment, published_marts_digest

DBT_STEP = "customer_warehouse_dbt_assets"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rewrite_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rows = [change(row) for row in rows]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _seed_previous_publish(published_run, root: Path) -> Path:
    """Start a failing run from the good run's published file, as production would."""
    settings, _, _ = published_run
    target = root / "warehouse" / "published.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copy(settings.published_path, target)
    return target


def _assert_logged_as_failed(
    published: Path, run_id: str, gate: str, still_published: str | None
) -> None:
    """The failed run is in the run log, at its gate, and the marts are still the last publish."""
    with duckdb.connect(str(published), read_only=True) as connection:
        row = connection.execute(
            "select status, failed_gate, published_run_id, problems from publish.run_log "
            "where run_id = ?",
            [run_id],
        ).fetchone()
    assert row is not None, "the failed run is not in the run log"
    assert row[:3] == ("failed", gate, still_published)
    assert row[3], "the run log does not say what failed"


def test_good_run_publishes_every_mart_and_exports_every_audience(published_run):
    settings, report, _ = published_run
    assert report.success, report.step_failures
    assert not report.checks_failed
    assert any(":gx_" in name for name in report.checks_passed), "GX suites did not run"
    assert len(report.checks_passed) > 50, "dbt tests did not run as asset checks"
    assert any("identity_precision_against_ground_truth" in name for name in report.checks_passed)
    # benchmarks/bench_run.py times the stages from these
    assert report.step_seconds["customer_warehouse_dbt_assets"] > 1
    assert {"raw_landing_files", "published_warehouse"} <= set(report.step_seconds)
    # The ingest gate kept the scan of every landing file, all clean: the next run reads none.
    kept_scans = json.loads(settings.known_scans_path.read_text(encoding="utf-8"))["files"]
    landing_files = {
        str(path) for path in settings.raw_dir.rglob("*") if path.suffix in (".csv", ".parquet")
    }
    assert set(kept_scans) == landing_files

    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        assert {"marts.customers", "marts.customer_lifecycle_monthly"} <= tables
        assert not any(name.startswith(("staging.", "intermediate.")) for name in tables)
        assert connection.execute("select count(*) from marts.customers").fetchone()[0] > 100
        run_log = connection.execute(
            "select run_id, status, failed_gate, ingest_gate, build_gate, publish_gate, "
            "published_run_id, started_at < finished_at from publish.run_log"
        ).fetchall()
        assert len(run_log) == 1
        assert run_log[0][:3] == (report.run_id, "published", None)
        assert run_log[0][3] == "passed"
        assert run_log[0][4].startswith("passed: ") and run_log[0][5].startswith("passed: ")
        assert run_log[0][6:] == (report.run_id, True)
        published_tables = dict(
            connection.execute(
                "select table_name, row_count from publish.published_tables"
            ).fetchall()
        )
        assert (
            published_tables["marts.customers"]
            == connection.execute("select count(*) from marts.customers").fetchone()[0]
        )
        audience_rows = {
            name: connection.execute(f"select count(*) from audiences.{name}").fetchone()[0]
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = 'audiences'"
            ).fetchall()
        }

    assert audience_rows, "no audience was published"
    evaluation = evaluate_identity(
        settings.published_path, settings.truth_dir / "identity_truth.csv"
    )
    assert evaluation.precision >= 0.99
    # Junk and shared identifiers never glue people into a cluster bigger than any real person.
    assert evaluation.largest_customer_record_count <= evaluation.largest_person_record_count
    for audience, rows in audience_rows.items():
        latest = json.loads((settings.exports_dir / audience / "latest.json").read_text())
        assert latest["run_id"] == report.run_id
        folder = Path(latest["folder"])
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["row_count"] == rows
        assert manifest["channel"] in {"email", "sms", "push", "ads"}
        for file_name, detail in manifest["files"].items():
            assert _sha256(folder / file_name) == detail["sha256"]
        with (folder / f"{audience}.csv").open() as handle:
            assert sum(1 for _ in handle) == rows + 1


def test_negative_order_amounts_fail_the_build_gate_and_publish_nothing(
    published_run, copy_raw, tmp_path
):
    raw_dir = copy_raw()
    for path in (raw_dir / "shop" / "orders").glob("*.csv"):
        _rewrite_csv(path, lambda row: {**row, "total_amount": "-25.00"})
    root = tmp_path / "run"
    published = _seed_previous_publish(published_run, root)
    before = published_marts_digest(published)

    with WarehouseEnvironment(root, raw_dir) as settings:
        report = execute_job(settings)

    assert not report.success
    failure = "\n".join(report.step_failures)
    assert "Build gate failed" in failure
    assert "quarantine" in failure or "rejected" in failure, failure
    assert "published_warehouse" not in report.executed_steps
    assert not any(step.startswith("exports") for step in report.executed_steps)
    assert published_marts_digest(published) == before
    _assert_logged_as_failed(published, report.run_id, "build", published_run[1].run_id)
    assert not (settings.exports_dir).exists() or not any(settings.exports_dir.iterdir())


def test_missing_required_column_fails_the_ingest_gate_naming_file_and_column(copy_raw, tmp_path):
    raw_dir = copy_raw()
    broken = sorted((raw_dir / "shop" / "orders").glob("*.csv"))[0]
    with broken.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with broken.open("w", newline="", encoding="utf-8") as handle:
        fields = [name for name in rows[0] if name != "total_amount"]
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)

    with WarehouseEnvironment(tmp_path / "run", raw_dir) as settings:
        report = execute_job(settings)
        # Runs the daemon launches are logged by the failure sensor, from the run's event log.
        with dg.DagsterInstance.get() as instance:
            events = [
                entry.dagster_event
                for entry in instance.all_logs(report.run_id)
                if entry.is_dagster_event
            ]
    rebuilt = report_from_events(report.run_id, False, 0.0, events)
    assert rebuilt.failed_gate() == "ingest"
    assert rebuilt.step_failures == report.step_failures

    assert not report.success
    failure = "\n".join(report.step_failures)
    assert "Ingest gate failed" in failure
    assert str(broken) in failure and "total_amount" in failure
    assert DBT_STEP not in report.executed_steps
    assert published_marts_digest(settings.published_path) == {}
    _assert_logged_as_failed(settings.published_path, report.run_id, "ingest", None)


def test_violated_expectation_fails_the_publish_gate(published_run, demo_data, tmp_path):
    expectations = tmp_path / "expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", expectations)
    suite_path = expectations / "customers.json"
    suite = json.loads(suite_path.read_text())
    suite["expectations"].append(
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 1}}
    )
    suite_path.write_text(json.dumps(suite))
    root = tmp_path / "run"
    published = _seed_previous_publish(published_run, root)
    before = published_marts_digest(published)

    environment = WarehouseEnvironment(root, demo_data[0])
    environment.values["CW_EXPECTATIONS_DIR"] = str(expectations)
    with environment as settings:
        report = execute_job(settings)

    assert not report.success
    assert any("gx_customers" in name for name in report.checks_failed), report.checks_failed
    assert any("expect_table_row_count_to_be_between" in n for n in report.checks_failed)
    assert DBT_STEP in report.executed_steps
    assert "published_warehouse" not in report.executed_steps
    assert published_marts_digest(published) == before
    _assert_logged_as_failed(published, report.run_id, "publish", published_run[1].run_id)


def test_cli_help_explains_commands():
    from typer.testing import CliRunner

    from orchestration.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "generate" in result.output and "run" in result.output


def test_cli_explains_a_customer_and_scores_identity(published_run):
    from typer.testing import CliRunner

    from orchestration.cli import app

    settings, _, _ = published_run
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        customer_id, record_count = connection.execute(
            "select customer_id, count(*) from marts.customer_source_records "
            "group by 1 having count(*) >= 3 order by 1 limit 1"
        ).fetchone()
    runner = CliRunner()
    explained = runner.invoke(
        app,
        ["explain", customer_id, "--warehouse", str(settings.published_path)],
        terminal_width=200,
    )
    assert explained.exit_code == 0, explained.output
    assert f"{customer_id}: {record_count} source records" in explained.output
    assert "shared_" in explained.output
    missing = runner.invoke(
        app, ["explain", "cus_nobody", "--warehouse", str(settings.published_path)]
    )
    assert missing.exit_code == 1 and "No customer cus_nobody" in missing.output
    scored = runner.invoke(app, ["evaluate", "--warehouse", str(settings.published_path)])
    assert scored.exit_code == 0 and "precision" in scored.output
