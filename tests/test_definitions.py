"""The Dagster definitions load from the dbt manifest and wire the gates the way the docs say."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.manifest import load_manifest, parse_dbt_project
from orchestration.settings import Settings
from tests.conftest import WarehouseEnvironment


@pytest.fixture
def parsed(tmp_path: Path) -> Iterator[Settings]:
    """The project parsed into this test's own target folder, which the definitions then read."""
    with WarehouseEnvironment(tmp_path, tmp_path / "raw") as settings:
        assert parse_dbt_project(settings) == tmp_path / "target" / "manifest.json"
        yield settings


def test_definitions_wire_every_layer_and_the_gates(parsed):
    from orchestration.definitions import build_definitions

    definitions = build_definitions()
    job = definitions.resolve_job_def("customer_warehouse_daily")
    assert job is not None
    graph = definitions.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"raw", "staging", "intermediate", "marts", "audiences", "publish", "exports"} <= groups

    sources = [n for n in load_manifest()["sources"].values()]
    assert len(sources) >= 14
    for source in sources:
        assert graph.has(dg.AssetKey(["raw", source["source_name"], source["name"]]))
        # The manifest read is this run's own: its sources point at this run's landing folder.
        assert str(parsed.raw_dir) in source["meta"]["external_location"]

    publish = dg.AssetKey("published_warehouse")
    publish_parents = graph.get(publish).parent_keys
    assert dg.AssetKey(["marts", "customers"]) in publish_parents
    for key in graph.get_all_asset_keys():
        if key.path[0] == "exports":
            assert publish in graph.get(key).parent_keys

    gx_checks = [
        check_key for check_key in graph.asset_check_keys if check_key.name.startswith("gx_")
    ]
    assert gx_checks
    for check_key in gx_checks:
        assert graph.get_check_spec(check_key).blocking

    schedule = definitions.resolve_schedule_def("customer_warehouse_daily_schedule")
    assert schedule.cron_schedule == "0 5 * * *"
    # Failed runs the daemon launches reach the run log through this sensor.
    sensor = definitions.resolve_sensor_def("log_failed_runs_in_the_run_log")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_python_models_receive_every_config_value_they_read(parsed):
    """dbt hands a Python model only the config keys it finds as standalone
    `dbt.config.get("key")` calls; one buried in an expression silently reads the default."""
    import re

    python_models = [
        node
        for node in load_manifest()["nodes"].values()
        if node["resource_type"] == "model" and node["language"] == "python"
    ]
    assert python_models
    for node in python_models:
        read_keys = set(re.findall(r"dbt\.config\.get\(\s*[\"'](\w+)[\"']", node["raw_code"]))
        passed_keys = set(node["config"].get("config_keys_used") or [])
        assert read_keys <= passed_keys, (node["name"], read_keys - passed_keys)
