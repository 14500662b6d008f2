"""Resources shared by the assets."""

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.project import dbt_project


def build_resources() -> dict[str, object]:
    # The dbt next to this interpreter: `make run` and the tests work without an activated venv.
    dbt_executable = Path(sys.executable).parent / "dbt"
    return {
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            dbt_executable=str(dbt_executable) if dbt_executable.exists() else "dbt",
        )
    }
