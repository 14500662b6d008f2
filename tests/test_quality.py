"""Great Expectations suites: they load, and a violated expectation really fails."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration.quality import (
    SuiteFileError,
    load_suite_file,
    load_suite_files,
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


def test_malformed_suite_file_is_reported_with_its_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x"}')
    with pytest.raises(SuiteFileError, match="broken.json"):
        load_suite_file(path)


def test_every_committed_suite_targets_a_dbt_model():
    from orchestration.manifest import load_manifest, parse_dbt_project
    from orchestration.settings import Settings

    parse_dbt_project(Settings.from_env())
    from orchestration.definitions import build_definitions

    manifest = load_manifest()
    relations = {
        f"{node['schema']}.{node['alias'] or node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    graph = build_definitions().resolve_asset_graph()
    suites = load_suite_files(PROJECT_ROOT / "expectations")
    assert suites
    for suite in suites:
        assert suite.relation in relations, suite.path
        assert graph.has(suite.asset_key), suite.path
        assert suite.asset_key.path == suite.relation.split("."), suite.path
