"""Great Expectations suites: they load, and a violated expectation really fails."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration.quality import (
    SuiteFileError,
    expectation_columns,
    load_suite_file,
    load_suite_files,
    read_relation,
    validate_dataframe,
)
from orchestration.settings import PROJECT_ROOT


def _suite(tmp_path, expectations):
    path = tmp_path / "suite.json"
    path.write_text(
        json.dumps(
            {
                "name": "people",
                "meta": {"dagster": {"asset_key": ["people"], "relation": "marts.people"}},
                "expectations": expectations,
            }
        )
    )
    return load_suite_file(path)


def test_violated_expectations_fail_and_are_named(tmp_path):
    suite = _suite(
        tmp_path,
        [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "person_id"}},
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "spend", "min_value": 0},
            },
        ],
    )
    good = validate_dataframe(suite, pd.DataFrame({"person_id": [1, 2], "spend": [0.0, 3.5]}))
    bad = validate_dataframe(suite, pd.DataFrame({"person_id": [1, None], "spend": [-1.0, 3.5]}))
    assert good.success and good.failures == []
    assert not bad.success
    assert len(bad.failures) == 2
    assert any("spend" in failure and "-1.0" in failure for failure in bad.failures)


def test_a_missing_column_fails_rather_than_passes(tmp_path):
    suite = _suite(
        tmp_path, [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "gone"}}]
    )
    assert not validate_dataframe(suite, pd.DataFrame({"person_id": [1]})).success


def test_the_gate_reads_only_the_columns_its_expectations_name(tmp_path):
    import duckdb

    warehouse = tmp_path / "working.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.people as "
            "select 1 as person_id, -2.0 as spend, 'wide text' as notes"
        )
    suite = _suite(
        tmp_path,
        [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "person_id"}},
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "spend", "min_value": 0},
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "gone"}},
        ],
    )
    columns = expectation_columns(suite)
    assert columns == ["person_id", "spend", "gone"]
    dataframe = read_relation(warehouse, "marts.people", columns)
    assert list(dataframe.columns) == ["person_id", "spend"]
    outcome = validate_dataframe(suite, dataframe)
    assert not outcome.success and len(outcome.failures) == 2
    assert any("gone" in failure for failure in outcome.failures)
    shape = _suite(
        tmp_path,
        [{"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["person_id"]}}],
    )
    assert expectation_columns(shape) is None
    assert list(read_relation(warehouse, "marts.people", None).columns) == [
        "person_id",
        "spend",
        "notes",
    ]


def test_malformed_suite_file_is_reported_with_its_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x"}')
    with pytest.raises(SuiteFileError, match="broken.json"):
        load_suite_file(path)


def test_every_committed_suite_targets_a_dbt_model(tmp_path):
    from orchestration.manifest import load_manifest, parse_dbt_project
    from tests.conftest import WarehouseEnvironment

    # Parsed into this test's own target folder, which the definitions then read.
    with WarehouseEnvironment(tmp_path, tmp_path / "raw") as settings:
        parse_dbt_project(settings)
        from orchestration.definitions import build_definitions

        manifest = load_manifest()
        graph = build_definitions().resolve_asset_graph()
    relations = {
        f"{node['schema']}.{node['alias'] or node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    suites = load_suite_files(PROJECT_ROOT / "expectations")
    assert suites
    for suite in suites:
        assert suite.relation in relations, suite.path
        assert graph.has(suite.asset_key), suite.path
        assert suite.asset_key.path == suite.relation.split("."), suite.path


def _published_with_counts(path, counts_by_run):
    """A published file whose run log says each run published marts.people with that many rows."""
    import duckdb

    from orchestration.publish import RUN_LOG_DDL

    with duckdb.connect(str(path)) as connection:
        connection.execute(RUN_LOG_DDL)
        for minute, (run_id, status, rows) in enumerate(counts_by_run):
            connection.execute(
                "insert into publish.run_log (run_id, finished_at, status) "
                "values (?, timestamp '2026-06-30 00:00:00' + to_minutes(?), ?)",
                [run_id, minute, status],
            )
            connection.execute(
                "insert into publish.published_tables values (?, 'marts.people', ?)",
                [run_id, rows],
            )
    return path


def test_volume_change_against_the_last_published_run_fails_outside_the_band(tmp_path):
    from orchestration.quality import volume_change_expectation, with_expectations

    suite = _suite(tmp_path, [])
    published = _published_with_counts(
        tmp_path / "published.duckdb", [("run-1", "published", 5000), ("run-2", "published", 1000)]
    )
    volume = volume_change_expectation(suite, published, band=0.5)
    assert volume["kwargs"] == {"min_value": 500, "max_value": 1500}
    checked = with_expectations(suite, [volume])
    assert validate_dataframe(checked, pd.DataFrame({"person_id": range(1400)})).success
    shrunk = validate_dataframe(checked, pd.DataFrame({"person_id": range(400)}))
    assert not shrunk.success
    assert "last published run run-2 had 1000 rows" in shrunk.failures[0]
    assert "±50%" in shrunk.failures[0]


def test_volume_change_is_not_checked_without_a_previous_publish(tmp_path):
    from orchestration.quality import volume_change_expectation

    suite = _suite(tmp_path, [])
    assert volume_change_expectation(suite, tmp_path / "none.duckdb", band=0.5) is None
    small = _published_with_counts(tmp_path / "small.duckdb", [("run-1", "published", 10)])
    assert volume_change_expectation(suite, small, band=0.5) is None


def test_the_customers_suite_stops_a_cluster_above_the_size_limit():
    suite = load_suite_file(PROJECT_ROOT / "expectations" / "customers.json")
    limits = [
        item["kwargs"]["max_value"]
        for item in suite.definition["expectations"]
        if item["kwargs"].get("column") == "source_record_count"
    ]
    assert limits == [200]
    frame = pd.DataFrame(
        {
            "customer_id": ["cus_0000000000000001", "cus_0000000000000002"],
            "lifetime_revenue_usd": [0.0, 1.0],
            "lifecycle_stage": ["new", "active"],
            "email": ["a@x.com", "b@x.com"],
            "phone_e164": [None, None],
            "source_record_count": [3, 201],
        }
    )
    outcome = validate_dataframe(suite, frame)
    assert not outcome.success
    assert outcome.failures == [
        "expect_column_values_to_be_between on column source_record_count: observed [201] "
        "(1 unexpected rows)"
    ]
