"""Audience exports for reverse-ETL tools, written only from the published warehouse.

Each audience model (`models/audiences/aud_*.sql`) becomes one Dagster asset that writes
`<exports dir>/<audience>/<run id>/`: the audience as Parquet, CSV and JSON lines, its diff against
the previous export (added, removed, changed), the customer id merges and splits since then, and a
`manifest.json` (run id, key, row and diff counts, schema, checksums, channel and consent purpose
from the model's config); then it points `<exports dir>/<audience>/latest.json` at that folder.
Reading from the published file means an export can only ever contain data that passed every
gate.
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

from orchestration.publish import quote_identifier, sql_string
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


def _previous_export(exports_dir: Path, audience: str) -> dict[str, Any] | None:
    """The manifest of the audience's last export, if one exists and its snapshot is still there."""
    latest = exports_dir / audience / "latest.json"
    if not latest.exists():
        return None
    folder = Path(json.loads(latest.read_text())["folder"])
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists() or not (folder / f"{audience}.parquet").exists():
        return None
    return {**json.loads(manifest_path.read_text()), "folder": str(folder)}


DIFF_SQL = """
with
new as (select * from read_parquet($new)),
old as (select * from read_parquet($old)),
added as (
    select 'added' as change, new.* from new
    where {key} not in (select {key} from old)
),
removed as (
    select 'removed' as change, old.* from old
    where {key} not in (select {key} from new)
),
changed as (
    select 'changed' as change, new.* from new
    inner join old using ({key})
    where to_json(new) <> to_json(old)
)
select * from added
union all by name select * from removed
union all by name select * from changed
order by {key}, change
"""


def export_audience(
    audience: Audience, published_path: Path, exports_dir: Path, run_id: str
) -> dict[str, Any]:
    """Write the audience's snapshot, its diff against the last export, and a manifest.

    Snapshot: every row, as Parquet, CSV and JSON lines. Diff (`diff.parquet`, `diff.csv`): one
    row per key that was added, removed (with its last exported values) or changed (with its new
    values) since the previous export; applying it to the previous snapshot gives this one.
    `customer_id_changes.csv`: customer ids merged or split since the previous export, so
    destinations can re-key the contacts they hold.
    """
    key = str(audience.meta.get("key", "customer_id"))
    run_folder = exports_dir / audience.name / run_id
    run_folder.mkdir(parents=True, exist_ok=True)
    snapshot = run_folder / f"{audience.name}.parquet"
    csv_path = run_folder / f"{audience.name}.csv"
    jsonl_path = run_folder / f"{audience.name}.jsonl"
    diff_parquet, diff_csv = run_folder / "diff.parquet", run_folder / "diff.csv"
    changes_csv = run_folder / "customer_id_changes.csv"
    previous = _previous_export(exports_dir, audience.name)
    with duckdb.connect(str(published_path), read_only=True) as connection:
        # The audience is read once; every other file is written from the Parquet copy.
        connection.execute(
            f"copy (select * from {audience.relation} order by {key}) to "
            f"{sql_string(str(snapshot))} (format parquet)"
        )
        exported = f"read_parquet({sql_string(str(snapshot))})"
        connection.execute(
            f"copy (from {exported}) to {sql_string(str(csv_path))} (format csv, header true)"
        )
        connection.execute(f"copy (from {exported}) to {sql_string(str(jsonl_path))} (format json)")
        schema = [
            {"name": name, "type": column_type}
            for name, column_type, *_ in connection.execute(f"describe from {exported}").fetchall()
        ]
        row_count = connection.execute(f"select count(*) from {exported}").fetchone()[0]
        old_snapshot = Path(previous["folder"]) / f"{audience.name}.parquet" if previous else None
        diff_query = (
            DIFF_SQL.format(key=quote_identifier(key))
            if old_snapshot
            else f"select 'added' as change, * from {exported} order by {quote_identifier(key)}"
        )
        parameters = {"new": str(snapshot), "old": str(old_snapshot)} if old_snapshot else {}
        connection.execute(f"create temp table audience_diff as {diff_query}", parameters)
        for path, options in ((diff_parquet, "format parquet"), (diff_csv, "format csv, header")):
            connection.execute(f"copy audience_diff to {sql_string(str(path))} ({options})")
        diff_counts = dict(
            connection.execute("select change, count(*) from audience_diff group by 1").fetchall()
        )
        since = previous["exported_at"] if previous else None
        connection.execute(
            "copy (select from_customer_id, to_customer_id, change_type, changed_at "
            "from marts.customer_id_changes "
            "where $since is null or changed_at > cast($since as timestamp) "
            f"order by changed_at, from_customer_id) to {sql_string(str(changes_csv))} "
            "(format csv, header true)",
            {"since": since},
        )
        id_change_count = connection.execute(
            f"select count(*) from read_csv({sql_string(str(changes_csv))})"
        ).fetchone()[0]
    manifest = {
        "audience": audience.name,
        "run_id": run_id,
        "exported_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "key": key,
        "row_count": row_count,
        "columns": [column["name"] for column in schema],
        "schema": schema,
        "channel": audience.meta.get("channel"),
        "consent_purpose": audience.meta.get("consent_purpose"),
        "destination": audience.meta.get("destination"),
        "previous_run_id": previous["run_id"] if previous else None,
        "diff": {
            "added": diff_counts.get("added", 0),
            "removed": diff_counts.get("removed", 0),
            "changed": diff_counts.get("changed", 0),
        },
        "customer_id_changes": id_change_count,
        "files": {
            path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in (csv_path, snapshot, jsonl_path, diff_csv, diff_parquet, changes_csv)
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
