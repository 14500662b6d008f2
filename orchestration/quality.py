"""The publish gate: Great Expectations suites run as blocking Dagster asset checks.

Each file in `expectations/` is a GX expectation suite (JSON) whose `meta.dagster` names the
dbt asset it checks and the warehouse relation it reads. The check reads the relation from the
working DuckDB into pandas and validates it with GX's pandas datasource (GX's SQL datasource over
duckdb-engine fails to compute metrics in GX 1.24, see docs/quality-gates.md). A failed
expectation fails the check with ERROR severity; the checks are blocking, so Dagster fails the
run and nothing downstream of the checked asset (publish, exports) executes.
"""

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd

from orchestration.failpoints import failpoint
from orchestration.settings import Settings
from orchestration.warehouse import connect_warehouse


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    asset_key: dg.AssetKey
    relation: str
    definition: Mapping[str, Any]


MIN_ROWS_FOR_VOLUME_CHECK = 50


class SuiteFileError(ValueError):
    pass


def load_suite_file(path: Path) -> SuiteFile:
    try:
        definition = json.loads(path.read_text())
        target = definition["meta"]["dagster"]
        return SuiteFile(
            path=path,
            name=definition["name"],
            asset_key=dg.AssetKey(target["asset_key"]),
            relation=target["relation"],
            definition=definition,
        )
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise SuiteFileError(
            f"{path}: not a valid expectation suite with meta.dagster.asset_key and "
            f"meta.dagster.relation ({error!r})"
        ) from error


def load_suite_files(directory: Path | None = None) -> list[SuiteFile]:
    directory = directory or Settings.from_env().expectations_dir
    return [load_suite_file(path) for path in sorted(directory.glob("*.json"))]


@dataclass(frozen=True)
class ValidationOutcome:
    success: bool
    evaluated: int
    failures: list[str]


def validate_dataframe(suite: SuiteFile, dataframe: pd.DataFrame) -> ValidationOutcome:
    """Validate a dataframe with the suite through GX's pandas datasource."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    expectations = [
        ExpectationConfiguration(
            type=item["type"], kwargs=item.get("kwargs", {}), meta=item.get("meta", {})
        ).to_domain_obj()
        for item in suite.definition.get("expectations", [])
    ]
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    result = validation.run(batch_parameters={"dataframe": dataframe})
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        column = config.kwargs.get("column")
        detail = item.result or {}
        observed = detail.get("observed_value", detail.get("partial_unexpected_list"))
        failures.append(
            f"{config.type}"
            + (f" on column {column}" if column else "")
            + (f": observed {observed!r}" if observed is not None else "")
            + (
                f" ({detail['unexpected_count']} unexpected rows)"
                if detail.get("unexpected_count")
                else ""
            )
            + (
                f" (last published run {config.meta['volume_change_vs_run']} had "
                f"{config.meta['previous_row_count']} rows; allowed change "
                f"±{config.meta['band']:.0%}, CW_VOLUME_CHANGE_BAND)"
                if config.meta and "volume_change_vs_run" in config.meta
                else ""
            )
            + (
                f" [{item.exception_info.get('exception_message')}]"
                if not item.result and item.exception_info
                else ""
            )
        )
    return ValidationOutcome(
        success=bool(result.success), evaluated=len(result.results), failures=failures
    )


def volume_change_expectation(
    suite: SuiteFile, published_path: Path, band: float
) -> dict[str, Any] | None:
    """Row count within `band` (0.5: ±50%) of the count the last published run logged.

    None on the first run, when the relation was never published, or when it had fewer than
    MIN_ROWS_FOR_VOLUME_CHECK rows (small tables swing by more than any sensible band).
    """
    band = float(suite.definition.get("meta", {}).get("volume_change_band", band))
    if not published_path.exists():
        return None
    with duckdb.connect(str(published_path), read_only=True) as connection:
        has_log = connection.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'publish' and table_name = 'published_tables'"
        ).fetchone()[0]
        if not has_log:
            return None
        previous = connection.execute(
            "select tables.run_id, tables.row_count from publish.published_tables as tables "
            "inner join publish.run_log as runs on tables.run_id = runs.run_id "
            "where tables.table_name = ? and runs.status = 'published' "
            "order by runs.finished_at desc limit 1",
            [suite.relation],
        ).fetchone()
    if previous is None or previous[1] < MIN_ROWS_FOR_VOLUME_CHECK:
        return None
    run_id, rows = previous
    return {
        "type": "expect_table_row_count_to_be_between",
        "kwargs": {
            "min_value": math.floor(rows * (1 - band)),
            "max_value": math.ceil(rows * (1 + band)),
        },
        "meta": {
            "volume_change_vs_run": run_id,
            "previous_row_count": rows,
            "band": band,
        },
    }


def with_expectations(suite: SuiteFile, extra: list[dict[str, Any]]) -> SuiteFile:
    definition = {**suite.definition}
    definition["expectations"] = [*definition.get("expectations", []), *extra]
    return SuiteFile(suite.path, suite.name, suite.asset_key, suite.relation, definition)


# Expectation arguments that name the columns an expectation reads.
COLUMN_ARGUMENTS = ("column", "column_A", "column_B")
COLUMN_LIST_ARGUMENTS = ("column_list", "column_set")


def expectation_columns(suite: SuiteFile) -> list[str] | None:
    """The columns the suite's expectations read; None when one reads the whole table's shape.

    The gate loads only these into pandas: the customer 360 has some fifty columns, a million
    rows at scale, and its suite reads ten of them.
    """
    columns: list[str] = []
    for expectation in suite.definition.get("expectations", []):
        kind = expectation.get("type", "")
        if kind.startswith("expect_table_") and not kind.startswith("expect_table_row_count"):
            return None
        kwargs = expectation.get("kwargs", {})
        columns += [kwargs[name] for name in COLUMN_ARGUMENTS if name in kwargs]
        for name in COLUMN_LIST_ARGUMENTS:
            columns += list(kwargs.get(name, []))
    return list(dict.fromkeys(columns)) or None


def read_relation(
    warehouse_path: Path, relation: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """The relation's rows, with only `columns` when given (those it has: an expectation on a
    column that is not there fails in GX, with GX's message)."""
    with connect_warehouse(warehouse_path) as connection:
        rows = connection.sql(f"select * from {relation}")  # lazy: runs at .df()
        kept = [column for column in columns or [] if column in rows.columns]
        if kept:
            rows = rows.select(*('"' + column.replace('"', '""') + '"' for column in kept))
        return rows.df()


def build_expectation_check(suite: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.asset_key,
        name=f"gx_{suite.name}",
        blocking=True,
        description=f"Great Expectations suite {suite.path.name} on {suite.relation}.",
    )
    def expectation_check() -> dg.AssetCheckResult:
        failpoint("quality_gate")
        settings = Settings.from_env()
        volume = volume_change_expectation(
            suite, settings.published_path, settings.volume_change_band
        )
        checked = with_expectations(suite, [volume] if volume else [])
        dataframe = read_relation(
            settings.warehouse_path, suite.relation, expectation_columns(checked)
        )
        outcome = validate_dataframe(checked, dataframe)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{suite.path.name}: {outcome.evaluated} expectations passed on {suite.relation}"
                if outcome.success
                else f"{suite.path.name} failed on {suite.relation}: " + "; ".join(outcome.failures)
            ),
            metadata={
                "suite": suite.path.name,
                "relation": suite.relation,
                "rows": len(dataframe),
                "expectations": outcome.evaluated,
                "volume_checked_against": (
                    volume["meta"]["volume_change_vs_run"] if volume else None
                ),
                "failed_expectations": len(outcome.failures),
            },
        )

    return expectation_check


def build_expectation_checks(suites: list[SuiteFile]) -> list[dg.AssetChecksDefinition]:
    return [build_expectation_check(suite) for suite in suites]
