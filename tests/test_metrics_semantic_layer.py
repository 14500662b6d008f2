"""The semantic layer: dbt parses the semantic models and metrics, and MetricFlow answers from them.

`mf` reads `<project root>/target/semantic_manifest.json` and nothing else, so the MetricFlow test
runs on a copy of the dbt project in a temporary folder: the repository's own target/ is left alone.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

BIN = Path(sys.executable).parent
SEMANTIC_MODELS = {
    "order_kpis", "customer_retention", "subscription_mrr", "acquisition", "campaigns", "support",
    "nps",
}  # fmt: skip
KEY_METRICS = {
    "revenue", "order_count", "average_order_value", "repeat_purchase_rate", "purchase_frequency",
    "active_customers", "retention_rate", "churn_rate", "mrr", "net_revenue_retention",
    "gross_revenue_retention", "logo_churn_rate", "cac", "ltv_to_cac", "campaign_click_rate",
    "campaign_conversion_rate", "csat", "nps",
}  # fmt: skip
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "data-tests")


def run(command: list[str], cwd: Path, environment: dict[str, str]) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-5000:]
    return completed.stdout


def test_dbt_parse_registers_the_semantic_models_metrics_and_time_spine(tmp_path):
    target = tmp_path / "target"
    run(
        [str(BIN / "dbt"), "parse", "--target-path", str(target), "--log-path", str(tmp_path)],
        PROJECT_ROOT,
        dict(os.environ),
    )
    manifest = json.loads((target / "manifest.json").read_text())
    semantic_models = {node["name"]: node for node in manifest["semantic_models"].values()}
    metrics = {node["name"]: node for node in manifest["metrics"].values()}
    assert set(semantic_models) >= SEMANTIC_MODELS
    assert set(metrics) >= KEY_METRICS
    assert all(metric["description"] for metric in metrics.values())
    assert metrics["net_revenue_retention"]["type"] == "ratio"
    assert metrics["nps"]["type"] == "derived"

    semantic_manifest = json.loads((target / "semantic_manifest.json").read_text())
    spines = semantic_manifest["project_configuration"]["time_spines"]
    assert [spine["node_relation"]["alias"] for spine in spines] == ["metricflow_time_spine"]
    assert spines[0]["primary_column"]["name"] == "date_day"


def mf_query(project: Path, environment: dict[str, str], metrics: str, output: Path) -> dict:
    """One MetricFlow query by month, as {month: row} from its CSV output."""
    run(
        [str(BIN / "mf"), "query", "--metrics", metrics, "--group-by", "metric_time__month",
         "--csv", str(output)],
        project, environment,
    )  # fmt: skip
    with output.open(newline="") as handle:
        return {row["metric_time__month"][:10]: row for row in csv.DictReader(handle)}


def assert_close_or_both_null(answered: str, expected: float | None) -> None:
    if expected is None:
        assert answered == ""
    else:
        assert math.isclose(float(answered), expected, rel_tol=1e-12)


def test_metricflow_query_matches_the_marts(demo_data, tmp_path):
    """`mf query` by month gives what order_kpis_monthly and subscription_mrr_monthly hold."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    warehouse = tmp_path / "working.duckdb"
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(demo_data[0]),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"),
        # mf reads <project>/target: dbt must write there, whatever DBT_TARGET_PATH this pytest
        # worker carries from a warehouse fixture (docs/test-suite.md).
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    run(
        [str(BIN / "dbt"), "build", "--select", "+order_kpis_monthly", "+subscription_mrr_monthly",
         "metricflow_time_spine",
         "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
        project, environment,
    )  # fmt: skip
    answered = mf_query(
        project, environment, "revenue,order_count,average_order_value", tmp_path / "orders.csv"
    )
    subscriptions = mf_query(
        project, environment, "mrr,net_revenue_retention,gross_revenue_retention",
        tmp_path / "mrr.csv",
    )  # fmt: skip

    with connect_warehouse(warehouse) as connection:
        mart = connection.execute(
            "select cast(order_month as varchar), net_revenue_usd, completed_order_count, "
            "average_order_value_usd from marts.order_kpis_monthly"
        ).fetchall()
        mrr_mart = connection.execute(
            "select cast(month_start_date as varchar), mrr_usd, net_revenue_retention, "
            "gross_revenue_retention from marts.subscription_mrr_monthly where mrr_usd > 0 "
            "or starting_mrr_usd > 0"
        ).fetchall()
    assert len(mart) > 12
    assert set(answered) == {month for month, *_ in mart}
    for month, revenue, order_count, average_order_value in mart:
        row = answered[month]
        assert Decimal(row["revenue"]).quantize(Decimal("0.01")) == revenue
        assert int(row["order_count"]) == order_count
        assert_close_or_both_null(row["average_order_value"], average_order_value)

    assert len(mrr_mart) > 12
    for month, mrr, net_retention, gross_retention in mrr_mart:
        row = subscriptions[month]
        assert Decimal(row["mrr"]).quantize(Decimal("0.01")) == mrr
        assert_close_or_both_null(row["net_revenue_retention"], net_retention)
        assert_close_or_both_null(row["gross_revenue_retention"], gross_retention)
