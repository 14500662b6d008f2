"""Out of memory and disk full end in a plain diagnosis naming the setting or folder to change."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.resource_errors import diagnose
from orchestration.settings import Settings
from tests.conftest import WarehouseEnvironment


def _real_duckdb_error(**config: str) -> str:
    """The message DuckDB itself raises for a query too big for its limits."""
    with (
        duckdb.connect(config={"threads": 1, **config}) as connection,
        pytest.raises(duckdb.Error) as raised,
    ):
        connection.execute(
            "select count(distinct range::varchar || repeat('x', 40)) from range(3000000)"
        ).fetchall()
    return str(raised.value)


def test_out_of_memory_names_the_limit_and_the_temp_directory(tmp_path):
    message = _real_duckdb_error(memory_limit="8MB", max_temp_directory_size="0KB")
    with WarehouseEnvironment(tmp_path, tmp_path / "raw") as settings:
        diagnosis = diagnose(f"customer_warehouse_dbt_assets: {message}", settings)
        temp_dir = settings.duckdb_temp_dir  # read from the environment
    assert diagnosis.startswith("Out of memory")
    assert "CW_DUCKDB_MEMORY_LIMIT" in diagnosis
    assert str(temp_dir) in diagnosis


def test_disk_full_names_the_folders_and_their_free_space(tmp_path):
    with WarehouseEnvironment(tmp_path, tmp_path / "raw") as settings:
        diagnosis = diagnose(
            "published_warehouse: IO Error: Could not write file "
            f'"{settings.published_path}.tmp": No space left on device',
            settings,
        )
    assert diagnosis.startswith("Disk full")
    assert str(settings.warehouse_path.parent) in diagnosis and "GB free" in diagnosis


def test_other_failures_get_no_diagnosis(tmp_path):
    assert (
        diagnose("Build gate failed: not_null_customers_customer_id", Settings.from_env()) is None
    )


SPILLING_QUERY = "select count(distinct range::varchar || repeat('x', 40)) from range(1500000)"


def test_the_profile_sets_memory_and_spill_directory_once_per_database(tmp_path):
    """A run bigger than memory spills to the temp directory; afterwards DuckDB refuses to set
    the directory again, which dbt-duckdb's per-cursor `settings` do for every new cursor (a
    1,000,000-people run failed that way). The profile therefore opens the database with them."""
    import yaml

    from orchestration.settings import PROJECT_ROOT

    profile = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text())
    duckdb_output = profile["customer_warehouse"]["outputs"]["duckdb"]
    assert {"memory_limit", "temp_directory"} <= set(duckdb_output["config_options"])
    assert not {"memory_limit", "temp_directory"} & set(duckdb_output.get("settings", {}))

    temp = str(tmp_path / "spill")
    with duckdb.connect(
        str(tmp_path / "w.duckdb"),
        config={"threads": 1, "memory_limit": "64MB", "temp_directory": temp},
    ) as connection:
        connection.execute(f"create table spilled as {SPILLING_QUERY}")
        connection.cursor().execute("select * from spilled").fetchall()  # the profile's way
        with pytest.raises(duckdb.Error, match="temporary directory"):
            connection.cursor().execute(f"set temp_directory = '{temp}'")  # the per-cursor way
