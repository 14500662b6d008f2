"""The dbt project as Dagster assets: every seed, model and snapshot, with dbt tests as checks.

One `dbt build` runs the whole selection. dbt skips every model downstream of a failed
error-severity test, and this op then fails with the failed tests named, so no Dagster asset
downstream of dbt (publish, exports) runs.
"""

import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.project import dbt_project
from orchestration.settings import Settings

# The layer a model lives in (its folder under models/) is its Dagster group.
MODEL_LAYERS = ("staging", "intermediate", "marts", "audiences")


class CustomerWarehouseTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(
                key=dg.AssetKey(["raw", props["source_name"], props["name"]]), group_name="raw"
            )
        if props["resource_type"] == "seed":
            return spec.replace_attributes(group_name="reference")
        layer = props["fqn"][1] if len(props["fqn"]) > 2 else "default"
        return spec.replace_attributes(group_name=layer if layer in MODEL_LAYERS else "default")


translator = CustomerWarehouseTranslator()


def failed_nodes_summary(run_results: Mapping[str, Any]) -> list[str]:
    """One line per failed or errored dbt node, naming it, from run_results.json."""
    lines = []
    for result in run_results.get("results", []):
        if result.get("status") in ("fail", "error"):
            message = " ".join(str(result.get("message") or "").split())
            lines.append(f"{result['unique_id']} ({result['status']}): {message}")
    return lines


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
)
def customer_warehouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource
) -> Iterator[Any]:
    settings = Settings.from_env()
    # The dbt subprocess inherits this process's environment: give it absolute paths.
    os.environ.update(settings.dbt_environment())
    # Unit tests run in CI and development (`dbt build`, `make test`); the scheduled production
    # run skips them, as dbt's documentation advises.
    args = ["build", "--exclude-resource-type", "unit_test"]
    # Incremental by default (docs/incremental-processing.md); a full refresh rebuilds the
    # incremental models from every landing file.
    if settings.full_refresh:
        args.append("--full-refresh")
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from invocation.stream()
    if not invocation.is_successful():
        failures = failed_nodes_summary(invocation.get_artifact("run_results.json"))
        raise dg.Failure(
            description=(
                "Build gate failed: dbt build reported "
                f"{len(failures) or 'an'} error(s); nothing downstream is published.\n"
                + "\n".join(f"- {line}" for line in failures)
            ),
            metadata={"failed_nodes": dg.MetadataValue.md("\n".join(failures))},
            allow_retries=False,
        )
