"""The one Dagster `Definitions` of the warehouse (`dagster dev -m orchestration.definitions`)."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import customer_warehouse_dbt_assets, translator
from orchestration.evaluation import build_identity_evaluation_check
from orchestration.exports import audiences_from_manifest, build_export_asset
from orchestration.manifest import load_manifest
from orchestration.project import dbt_project
from orchestration.publish import build_publish_asset
from orchestration.quality import build_expectation_checks, load_suite_files
from orchestration.raw import build_raw_assets, raw_tables_from_manifest
from orchestration.resources import build_resources
from orchestration.run_log_sensor import log_failed_runs
from orchestration.schedules import customer_warehouse_daily, daily_schedule
from orchestration.warehouse import PUBLISHED_SCHEMAS


def build_definitions() -> dg.Definitions:
    manifest = load_manifest()

    def asset_key(unique_id: str) -> dg.AssetKey:
        return translator.get_asset_spec(manifest, unique_id, dbt_project).key

    published_keys = [
        asset_key(unique_id)
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["fqn"][1] in PUBLISHED_SCHEMAS
    ]
    publish_asset = build_publish_asset(published_keys)
    export_assets = [
        build_export_asset(audience, publish_asset.key)
        for audience in audiences_from_manifest(manifest, asset_key)
    ]
    return dg.Definitions(
        assets=[
            build_raw_assets(raw_tables_from_manifest(manifest, asset_key)),
            customer_warehouse_dbt_assets,
            publish_asset,
            *export_assets,
        ],
        asset_checks=[
            *build_expectation_checks(load_suite_files()),
            build_identity_evaluation_check(dg.AssetKey(["marts", "customer_source_records"])),
        ],
        jobs=[customer_warehouse_daily],
        schedules=[daily_schedule],
        sensors=[log_failed_runs],
        resources=build_resources(),
    )


defs = build_definitions()
