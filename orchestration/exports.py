"""Audience exports for reverse-ETL tools, written only from the published warehouse.

Each audience model (`models/audiences/aud_*.sql`) becomes one Dagster asset that writes
`<exports dir>/<audience>/<run id>/` with the audience as CSV and Parquet and a `manifest.json`
(row count, columns, checksums, channel and consent purpose from the model's config), then points
`<exports dir>/<audience>/latest.json` at that folder. Reading from the published file means an
export can only ever contain data that passed every gate.
"""

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.settings import Settings


@dataclass(frozen=True)
class Audience:
    name: str
    relation: str
    meta: Mapping[str, Any]
    asset_key: dg.AssetKey


def audiences_from_manifest(manifest: Mapping[str, Any], asset_key_for_node: Any) -> list[Audience]:
    audiences = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] == "model" and node["fqn"][1] == "audiences":
            audiences.append(
                Audience(
                    name=node["name"],
                    relation=f"{node['schema']}.{node['alias'] or node['name']}",
                    meta=node.get("config", {}).get("meta", {}) or node.get("meta", {}),
                    asset_key=asset_key_for_node(unique_id),
                )
            )
    return audiences


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json_atomically(path: Path, content: Mapping[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(content, indent=2, default=str) + "\n")
    os.replace(temporary, path)


def export_audience(
    audience: Audience, published_path: Path, exports_dir: Path, run_id: str
) -> dict[str, Any]:
    run_folder = exports_dir / audience.name / run_id
    run_folder.mkdir(parents=True, exist_ok=True)
    csv_path = run_folder / f"{audience.name}.csv"
    parquet_path = run_folder / f"{audience.name}.parquet"
    with duckdb.connect(str(published_path), read_only=True) as connection:
        # The audience is read once; the CSV is written from the Parquet copy (same rows).
        connection.execute(
            f"copy (select * from {audience.relation} order by 1) to '{parquet_path}' "
            "(format parquet)"
        )
        exported = f"read_parquet('{parquet_path}')"
        connection.execute(f"copy (from {exported}) to '{csv_path}' (format csv, header true)")
        columns = [row[0] for row in connection.execute(f"describe from {exported}").fetchall()]
        row_count = connection.execute(f"select count(*) from {exported}").fetchone()[0]
    manifest = {
        "audience": audience.name,
        "run_id": run_id,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "row_count": row_count,
        "columns": columns,
        "channel": audience.meta.get("channel"),
        "consent_purpose": audience.meta.get("consent_purpose"),
        "destination": audience.meta.get("destination"),
        "files": {
            path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in (csv_path, parquet_path)
        },
    }
    _write_json_atomically(run_folder / "manifest.json", manifest)
    _write_json_atomically(
        exports_dir / audience.name / "latest.json",
        {"run_id": run_id, "folder": str(run_folder), "row_count": row_count},
    )
    return manifest


def build_export_asset(audience: Audience, published: dg.AssetKey) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["exports", audience.name]),
        group_name="exports",
        deps=[published, audience.asset_key],
        kinds={"csv", "parquet"},
        description=(
            f"Reverse-ETL export of {audience.name} "
            f"(channel {audience.meta.get('channel', 'n/a')}), from the published warehouse."
        ),
    )
    def audience_export(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = Settings.from_env()
        manifest = export_audience(
            audience, settings.published_path, settings.exports_dir, context.run_id
        )
        return dg.MaterializeResult(
            metadata={
                "row_count": manifest["row_count"],
                "folder": dg.MetadataValue.path(
                    str(settings.exports_dir / audience.name / context.run_id)
                ),
            }
        )

    return audience_export
