"""The dbt project at the repository root, as Dagster sees it."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT, dbt_target_path_from_env

# The manifest is read from the same target folder `orchestration.manifest` parses into.
dbt_project = DbtProject(
    project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=dbt_target_path_from_env()
)
# Under `dagster dev` the manifest is rebuilt from the current models; `cw run` and the tests
# parse the project themselves (orchestration.manifest) before loading the definitions.
dbt_project.prepare_if_dev()
