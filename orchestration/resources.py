"""Resources shared by the assets."""

from __future__ import annotations

from dagster_dbt import DbtCliResource

from orchestration.project import dbt_project


def build_resources() -> dict[str, object]:
    return {"dbt": DbtCliResource(project_dir=dbt_project)}
