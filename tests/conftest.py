"""Shared fixtures: small demo data and isolated warehouse paths.

Every test that runs the pipeline uses real files, a real DuckDB, real dbt and a real Dagster
instance in a temporary directory; nothing is mocked.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT, Settings

TEST_PEOPLE = 300
TEST_SEED = 7
PATH_VARIABLES = (
    "CW_RAW_DIR",
    "CW_TRUTH_DIR",
    "CW_WAREHOUSE_PATH",
    "CW_PUBLISHED_PATH",
    "CW_EXPORTS_DIR",
    "CW_DUCKDB_TEMP_DIR",
    "CW_EXPECTATIONS_DIR",
    "CW_AS_OF_DATE",
    "DAGSTER_HOME",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Raw landing files and ground truth for a few hundred people (generated once)."""
    from orchestration.generate import generate

    root = tmp_path_factory.mktemp("demo")
    generate(root / "raw", root / "truth", people=TEST_PEOPLE, seed=TEST_SEED)
    return root / "raw", root / "truth"


class WarehouseEnvironment:
    """Points every path setting at one temporary folder, and restores the environment after."""

    def __init__(self, root: Path, raw_dir: Path, truth_dir: Path | None = None) -> None:
        self.root = root
        self._saved = {name: os.environ.get(name) for name in PATH_VARIABLES}
        self.values = {
            "CW_RAW_DIR": str(raw_dir),
            "CW_TRUTH_DIR": str(truth_dir or root / "no_ground_truth"),
            "CW_WAREHOUSE_PATH": str(root / "warehouse" / "working.duckdb"),
            "CW_PUBLISHED_PATH": str(root / "warehouse" / "published.duckdb"),
            "CW_EXPORTS_DIR": str(root / "exports"),
            "CW_DUCKDB_TEMP_DIR": str(root / "warehouse" / "tmp"),
            "CW_EXPECTATIONS_DIR": str(PROJECT_ROOT / "expectations"),
            "DAGSTER_HOME": str(root / "dagster_home"),
            # dbt's manifest and logs too: runs in other pytest-xdist workers never share them.
            "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
        }

    def __enter__(self) -> Settings:
        for name in PATH_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(self.values)
        return Settings.from_env()

    def __exit__(self, *exc_info: object) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def copy_raw(tmp_path: Path, demo_data: tuple[Path, Path]):
    """A private copy of the demo landing directory that a test may break."""

    def _copy() -> Path:
        target = tmp_path / "raw"
        shutil.copytree(demo_data[0], target)
        return target

    return _copy


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of the session's good run goes to one pytest-xdist worker, so it runs once.

    With `--dist loadgroup` each worker has its own session; the tests of one xdist_group run in
    one worker (docs/test-suite.md). A module that groups itself must not use `published_run`:
    a test in two groups would land in a third.
    """
    for item in items:
        if "published_run" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("published_run"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a marked test pytest-xdist did not group: each worker would build its fixtures."""
    grouping = getattr(item.config.option, "loadgroup", False)  # set in xdist's workers only
    if grouping and item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
        pytest.fail(
            "pytest-xdist did not group this test (pytest-dev/pytest-xdist#1386, pytest 9.2): "
            "install the pytest pinned in pyproject.toml, or run with -n 0.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def published_run(
    tmp_path_factory: pytest.TempPathFactory, demo_data: tuple[Path, Path]
) -> Iterator[tuple[Settings, object, Path]]:
    """One successful end-to-end run of the Dagster job on the demo data."""
    from orchestration.runner import execute_job

    root = tmp_path_factory.mktemp("good_run")
    with WarehouseEnvironment(root, demo_data[0], truth_dir=demo_data[1]) as settings:
        report = execute_job(settings)
        yield settings, report, root


def published_marts_digest(warehouse_path: Path) -> dict[str, str]:
    """Each mart and audience of a published or working warehouse: a digest of its rows in a fixed
    order (query results)."""
    import hashlib

    from orchestration.warehouse import connect_warehouse

    digests = {}
    with connect_warehouse(warehouse_path) as connection:
        tables = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name in ('marts', 'audiences') order by 1"
        ).fetchall()
        for (table,) in tables:
            rows = connection.execute(f"select * from {table} order by all").fetchall()
            digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests
