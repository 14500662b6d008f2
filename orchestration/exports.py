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

from orchestration.settings import Settings
from orchestration.warehouse import quote_identifier, sql_string


@dataclass(frozen=True)
class Audience:
    name: str
    relation: str
    meta: Mapping[str, Any]
    asset_key: dg.AssetKey


# The field that carries the contact identifier on each channel (ads: SHA-256, customer match).
CHANNEL_IDENTIFIER_FIELDS = {
    "email": "email",
    "sms": "phone",
    "push": "device_id",
    "ads": "hashed_email",
}
CONSENT_PURPOSES = ("marketing", "personalization", "service")
MESSAGE_TYPES = ("promotional", "service")
REQUIRED_META = (
    "channel", "consent_purpose", "key", "fields", "holdout_share", "priority", "message_type",
)  # fmt: skip


class AudienceConfigError(ValueError):
    """An audience model's config meta is missing a value or has one we cannot export."""


def validate_audience_meta(name: str, meta: Mapping[str, Any]) -> None:
    """Raise AudienceConfigError naming the audience and the value when its meta is unusable.

    The same rules stop dbt (macro audience_meta); checking again here means an export never
    goes out under a config the warehouse did not apply.
    """
    where = f"Audience {name} (config meta in models/audiences/{name}.sql)"
    missing = [field for field in REQUIRED_META if meta.get(field) is None]
    if missing:
        raise AudienceConfigError(f"{where}: missing {', '.join(missing)}; see docs/audiences.md.")
    if meta["channel"] not in CHANNEL_IDENTIFIER_FIELDS:
        raise AudienceConfigError(
            f"{where}: unknown channel {meta['channel']!r}; use one of "
            f"{', '.join(CHANNEL_IDENTIFIER_FIELDS)}."
        )
    if meta["consent_purpose"] not in CONSENT_PURPOSES:
        raise AudienceConfigError(
            f"{where}: unknown consent_purpose {meta['consent_purpose']!r}; use one of "
            f"{', '.join(CONSENT_PURPOSES)}."
        )
    if meta["message_type"] not in MESSAGE_TYPES:
        raise AudienceConfigError(
            f"{where}: unknown message_type {meta['message_type']!r}; use one of "
            f"{', '.join(MESSAGE_TYPES)}."
        )
    share = meta["holdout_share"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share < 1:
        raise AudienceConfigError(f"{where}: holdout_share must be in [0, 1), not {share!r}.")
    fields = list(meta["fields"])
    if meta["key"] not in fields:
        raise AudienceConfigError(f"{where}: the key {meta['key']!r} must be one of the fields.")
    if CHANNEL_IDENTIFIER_FIELDS[meta["channel"]] not in fields:
        raise AudienceConfigError(
            f"{where}: a {meta['channel']} audience must export "
            f"{CHANNEL_IDENTIFIER_FIELDS[meta['channel']]!r}."
        )
    if meta["channel"] == "ads" and {"email", "phone"} & set(fields):
        raise AudienceConfigError(f"{where}: ads audiences export hashes, never clear text.")


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
    validate_audience_meta(audience.name, audience.meta)
    key = str(audience.meta["key"])
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
        columns = [column["name"] for column in schema]
        if columns != list(audience.meta["fields"]):
            raise AudienceConfigError(
                f"Audience {audience.name}: the published table has columns {columns}, but its "
                f"config meta fields are {list(audience.meta['fields'])}; rebuild it with dbt."
            )
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
        "columns": columns,
        "schema": schema,
        "channel": audience.meta["channel"],
        "consent_purpose": audience.meta["consent_purpose"],
        "message_type": audience.meta["message_type"],
        "priority": audience.meta["priority"],
        "holdout_share": audience.meta["holdout_share"],
        "identifier_field": CHANNEL_IDENTIFIER_FIELDS[audience.meta["channel"]],
        "identifier_hashing": (
            "sha256_hex_of_normalized" if audience.meta["channel"] == "ads" else None
        ),
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
