"""Audiences: consent and suppression under random histories, erasure, holdouts, config checks.

One warehouse is built with plain dbt on the small demo data (plus records that arrive after an
erasure request); the property test then replaces the consent, email and erasure staging tables
with generated histories and rebuilds only the audience models on them, with the real SQL.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from orchestration.exports import AudienceConfigError, validate_audience_meta
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("audiences")

DBT = str(Path(sys.executable).parent / "dbt")
ERASED_EMAIL = "erased.person@fastmail-test.net"
ERASURE_AT = datetime(2026, 3, 1, 9, 0, 0)
AUDIENCE_MODELS = (
    "int_identifier_consent_latest int_email_suppressions int_erased_customers "
    "int_customer_suppressions int_customer_contactability_by_purpose "
    "int_audience_candidates_checked int_audience_holdout_assignments int_audience_memberships "
    "path:models/audiences"
)


@dataclass(frozen=True)
class Warehouse:
    root: Path
    environment: dict[str, str]
    target: Path

    @property
    def path(self) -> Path:
        return self.root / "working.duckdb"

    def dbt(self, *arguments: str) -> None:
        completed = subprocess.run(
            [DBT, *arguments, "--target-path", str(self.target), "--log-path",
             str(self.root / "logs")],
            cwd=PROJECT_ROOT, env=self.environment, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stdout[-5000:]

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with connect_warehouse(self.path) as connection:
            return connection.execute(sql, parameters or []).fetchall()


def _append_csv(path: Path, header: list[str], row: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)


def _add_erasure_and_later_records(raw: Path) -> None:
    """A person asks to be erased; afterwards an order and a consent grant arrive for them."""
    _append_csv(
        raw / "shop" / "orders" / "orders_before_erasure.csv",
        ["order_id", "email", "status", "currency", "subtotal_amount", "total_amount",
         "ordered_at", "updated_at"],
        {"order_id": "OERASED1", "email": ERASED_EMAIL, "status": "delivered",
         "currency": "USD", "subtotal_amount": "50.00", "total_amount": "50.00",
         "ordered_at": "2026-01-10T10:00:00Z", "updated_at": "2026-01-10T10:00:00Z"},
    )  # fmt: skip
    _append_csv(
        raw / "privacy" / "erasure_requests" / "erasure_requests_test.csv",
        ["erasure_request_id", "identifier", "identifier_type", "requested_at", "source"],
        {"erasure_request_id": "ERTEST1", "identifier": ERASED_EMAIL.upper(),
         "identifier_type": "email", "requested_at": ERASURE_AT.isoformat() + "Z",
         "source": "web_form"},
    )  # fmt: skip
    _append_csv(
        raw / "shop" / "orders" / "orders_after_erasure.csv",
        ["order_id", "email", "phone", "status", "currency", "subtotal_amount", "total_amount",
         "ordered_at", "updated_at"],
        {"order_id": "OERASED2", "email": ERASED_EMAIL, "phone": "+1 415 555 0199",
         "status": "delivered", "currency": "USD", "subtotal_amount": "80.00",
         "total_amount": "80.00", "ordered_at": "2026-04-02T10:00:00Z",
         "updated_at": "2026-04-02T10:00:00Z"},
    )  # fmt: skip
    _append_csv(
        raw / "consent" / "events" / "events_after_erasure.csv",
        ["consent_event_id", "identifier", "identifier_type", "channel", "purpose", "status",
         "occurred_at", "source"],
        {"consent_event_id": "CEERASED", "identifier": ERASED_EMAIL, "identifier_type": "email",
         "channel": "email", "purpose": "marketing", "status": "granted",
         "occurred_at": "2026-04-02T10:00:00Z", "source": "checkout"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, demo_data: tuple[Path, Path]
) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("audiences")
    raw = root / "raw"
    shutil.copytree(demo_data[0], raw)
    _add_erasure_and_later_records(raw)
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw),
        "CW_WAREHOUSE_PATH": str(root / "working.duckdb"),
        "CW_DUCKDB_TEMP_DIR": str(root / "tmp"),
    }
    built = Warehouse(root, environment, root / "target")
    built.dbt("build", "--exclude-resource-type", "unit_test")
    yield built


def _audience_meta(warehouse: Warehouse) -> dict[str, dict]:
    manifest = json.loads((warehouse.target / "manifest.json").read_text())
    return {
        node["name"]: node["config"]["meta"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "audiences"
    }


# ---- configuration --------------------------------------------------------------------------


def test_every_audience_has_a_valid_config(warehouse):
    metas = _audience_meta(warehouse)
    assert len(metas) >= 6
    for name, meta in metas.items():
        validate_audience_meta(name, meta)
        columns = [row[0] for row in warehouse.query(f"describe audiences.{name}")]
        assert columns == meta["fields"], name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "fax"}, "unknown channel 'fax'"),
        ({"consent_purpose": None}, "missing consent_purpose"),
        ({"holdout_share": 1.5}, "holdout_share must be in [0, 1)"),
        ({"fields": ["customer_id", "hashed_email", "email"]}, "never clear text"),
    ],
)
def test_an_unusable_config_is_refused_with_a_clear_message(change, message):
    meta = {
        "channel": "ads", "consent_purpose": "marketing", "message_type": "promotional",
        "priority": 1, "holdout_share": 0.1, "key": "customer_id",
        "fields": ["customer_id", "hashed_email"],
    }  # fmt: skip
    with pytest.raises(AudienceConfigError, match=re.escape(message)):
        validate_audience_meta("aud_example", {**meta, **change})


def test_a_channel_value_dbt_does_not_know_fails_the_build(warehouse, tmp_path):
    """The dbt side refuses the same config (macro audience_meta), before anything is built."""
    model = PROJECT_ROOT / "models" / "audiences" / "aud_ads_vip.sql"
    original = model.read_text()
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_ROOT, project,
        ignore=shutil.ignore_patterns(".venv", "target", "data", ".git", "logs", "dbt_packages"),
    )  # fmt: skip
    (project / "models" / "audiences" / "aud_ads_vip.sql").write_text(
        original.replace("'channel': 'ads'", "'channel': 'fax'")
    )
    completed = subprocess.run(
        [DBT, "compile", "--select", "aud_ads_vip", "--target-path", str(tmp_path / "target")],
        cwd=project, env=warehouse.environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "Audience aud_ads_vip" in completed.stdout
    assert "unknown channel 'fax'; use one of email, sms, push, ads" in completed.stdout


# ---- message hierarchy and frequency cap ----------------------------------------------------


def test_service_recovery_pauses_promotions_and_the_cap_holds(warehouse):
    over_cap = warehouse.query(
        "select customer_id, channel, count(*) from intermediate.int_audience_memberships "
        "where membership_status in ('treatment', 'control') group by 1, 2 having count(*) > 1"
    )
    assert over_cap == []
    promoted_in_recovery = warehouse.query(
        "select m.customer_id from intermediate.int_audience_memberships as m "
        "inner join intermediate.int_audience_memberships as s on m.customer_id = s.customer_id "
        "where s.message_type = 'service' and m.message_type = 'promotional' "
        "and m.membership_status <> 'excluded'"
    )
    assert promoted_in_recovery == []
    # Under the cap, the audience with the lower priority number is the one kept.
    wrong_winner = warehouse.query(
        "select kept.customer_id from intermediate.int_audience_memberships as kept "
        "inner join intermediate.int_audience_memberships as capped "
        "on kept.customer_id = capped.customer_id and kept.channel = capped.channel "
        "where kept.membership_status <> 'excluded' and capped.exclusion_reason = 'frequency_cap' "
        "and (kept.audience_priority, kept.audience) > (capped.audience_priority, capped.audience)"
    )
    assert wrong_winner == []
    # An open or pending support ticket pauses promotions too.
    promoted_with_open_ticket = warehouse.query(
        "select m.customer_id from intermediate.int_audience_memberships as m "
        "inner join intermediate.int_source_records_resolved as r "
        "on m.customer_id = r.customer_id and r.source_table = 'support__tickets' "
        "inner join staging.stg_support__tickets as t on r.record_key = t.ticket_id "
        "where t.ticket_status in ('open', 'pending') and m.message_type = 'promotional' "
        "and m.membership_status <> 'excluded'"
    )
    assert promoted_with_open_ticket == []
    reasons = {row[0] for row in warehouse.query(
        "select distinct exclusion_reason from marts.audience_memberships_daily"
    )}  # fmt: skip
    assert {"frequency_cap", "no_consent"} <= reasons


# ---- erasure --------------------------------------------------------------------------------


def test_an_erased_person_is_never_reimported_by_later_records(warehouse):
    customer_ids = {row[0] for row in warehouse.query(
        "select customer_id from intermediate.int_customer_identifiers "
        "where identifier_type = 'email' and identifier_value = ?", [ERASED_EMAIL],
    )}  # fmt: skip
    assert len(customer_ids) == 1
    (customer_id,) = customer_ids
    # The order placed after the request is resolved to the same, erased customer.
    assert warehouse.query(
        "select customer_id from intermediate.int_orders_resolved where order_id = 'OERASED2'"
    ) == [(customer_id,)]
    assert warehouse.query(
        "select is_erased, email, phone_e164, first_name, last_name from marts.customers "
        "where customer_id = ?", [customer_id],
    ) == [(True, None, None, None, None)]  # fmt: skip
    assert warehouse.query(
        "select count(*) from marts.customer_identifiers where customer_id = ?", [customer_id]
    ) == [(0,)]
    for (audience,) in warehouse.query(
        "select table_name from duckdb_tables() where schema_name = 'audiences'"
    ):
        assert warehouse.query(
            f"select count(*) from audiences.{audience} where customer_id = ?", [customer_id]
        ) == [(0,)], audience
    assert warehouse.query(
        "select is_matched, customer_id, personal_field_count, remaining_identifier_count, "
        "audience_send_count, identifier_sha256 from marts.erasure_audit "
        "where erasure_request_id = 'ERTEST1'"
    ) == [(True, customer_id, 0, 0, 0, hashlib.sha256(ERASED_EMAIL.encode()).hexdigest())]


# ---- holdouts -------------------------------------------------------------------------------


def test_holdouts_are_stable_across_runs(warehouse):
    query = (
        "select audience, customer_id, holdout_bucket, membership_status "
        "from marts.audience_memberships_daily order by all"
    )
    first = warehouse.query(query)
    assert any(row[3] == "control" for row in first)
    warehouse.dbt("run", "--select", "int_audience_memberships", "audience_memberships_daily")
    assert warehouse.query(query) == first  # same rows, no duplicates for the same as-of date


def test_hash_buckets_are_uniform(warehouse):
    """The bucket macro, compiled by dbt, over 200,000 synthetic ids: shares within 0.5 points."""
    completed = subprocess.run(
        [DBT, "compile", "--quiet", "--inline",
         "select {{ hash_bucket(\"'aud_x|' || customer_id || '|salt'\") }} as bucket "
         "from synthetic", "--target-path", str(warehouse.target)],
        cwd=PROJECT_ROOT, env=warehouse.environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    sql = completed.stdout.strip()
    with duckdb.connect() as connection:
        connection.execute(
            "create table synthetic as select 'cus_' || lpad(cast(range as varchar), 16, '0') "
            "as customer_id from range(200000)"
        )
        shares = connection.execute(
            f"select avg(cast(bucket < 0.05 as int)), avg(cast(bucket < 0.1 as int)), "
            f"avg(cast(bucket < 0.5 as int)), min(bucket), max(bucket) from ({sql})"
        ).fetchone()
    assert abs(shares[0] - 0.05) < 0.005
    assert abs(shares[1] - 0.10) < 0.005
    assert abs(shares[2] - 0.50) < 0.005
    assert shares[3] >= 0 and shares[4] < 1


# ---- sticky holdouts (after the stability test: this one rewrites the assignments) ------------

SHARES_SQL = (
    "select checked.audience, count(*), "
    "sum(case when assigned.holdout_group = 'control' then 1 else 0 end), "
    "cast(round(max(checked.holdout_share) * count(*)) as bigint) "
    "from intermediate.int_audience_candidates_checked as checked "
    "inner join intermediate.int_audience_holdout_assignments as assigned "
    "on checked.audience = assigned.audience and checked.customer_id = assigned.customer_id "
    "where checked.is_eligible group by 1 order by 1"
)
ASSIGNMENTS_SQL = (
    "select audience, customer_id, holdout_group from intermediate.int_audience_holdout_assignments"
)


def test_holdout_groups_are_kept_and_new_members_fill_the_configured_share(warehouse):
    models = ("int_audience_holdout_assignments", "int_audience_memberships")
    warehouse.dbt("run", "--full-refresh", "--select", *models)
    shares = warehouse.query(SHARES_SQL)
    assert any(controls for _, _, controls, _ in shares), shares
    for audience, members, controls, expected in shares:
        assert controls == expected, (audience, members, controls, expected)  # exact, any size

    # Half the members, every control among them, become "new" (as if they joined after the last
    # run), and the hash salt changes: the others keep their groups, and the new ones fill the
    # control places back exactly.
    with duckdb.connect(str(warehouse.path)) as connection:
        connection.execute(
            "delete from intermediate.int_audience_holdout_assignments where holdout_bucket < 0.5"
        )
    kept = set(warehouse.query(ASSIGNMENTS_SQL))
    assert kept
    warehouse.dbt("run", "--select", *models, "--vars", '{"audience_holdout_salt": "new-salt"}')
    assert kept <= set(warehouse.query(ASSIGNMENTS_SQL))
    for audience, members, controls, expected in warehouse.query(SHARES_SQL):
        assert controls == expected, (audience, members, controls, expected)


# ---- property: no export without consent, or erased, or suppressed --------------------------

CHANNELS = ("email", "ads", "sms")
PURPOSES = ("marketing", "service")
BASE = datetime(2025, 6, 1)

consent_event = st.tuples(
    st.just("consent"), st.integers(0, 1), st.sampled_from(CHANNELS), st.sampled_from(PURPOSES),
    st.booleans(),
)  # fmt: skip
email_event = st.tuples(
    st.just("email"), st.integers(0, 1),
    st.sampled_from(["unsubscribe", "spam_complaint", "hard_bounce", "soft_bounce"]),
    st.none(), st.none(),
)  # fmt: skip
erasure_event = st.tuples(
    st.just("erasure"), st.integers(0, 1), st.sampled_from(["email", "phone"]), st.none(),
    st.none(),
)  # fmt: skip
history = st.lists(
    st.tuples(
        st.one_of(consent_event, consent_event, consent_event, email_event, erasure_event),
        st.integers(0, 300 * 24 * 60),
    ),
    max_size=8,
)
# Every tenth person is on the do-not-contact list (the same list in every example, so dbt can
# reuse its parse between examples); their histories are as random as everyone else's.
DO_NOT_CONTACT_EVERY = 10


def _people(warehouse: Warehouse, count: int) -> list[tuple[str, list[str], list[str]]]:
    """Candidates of any audience with an email: (customer_id, emails, phones)."""
    identifiers: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for customer_id, identifier_type, value in warehouse.query(
        "select customer_id, identifier_type, identifier_value "
        "from intermediate.int_customer_identifiers where customer_id in "
        "(select customer_id from intermediate.int_audience_memberships) "
        "and identifier_type in ('email', 'phone') order by 1, 2, 3"
    ):
        identifiers[customer_id][identifier_type].append(value)
    with_email = [c for c in sorted(identifiers) if identifiers[c]["email"]]
    return [(c, identifiers[c]["email"], identifiers[c]["phone"]) for c in with_email[:count]]


def _write_histories(connection, people, histories) -> list[dict]:
    consents, emails, erasures = [], [], []
    for index, ((customer_id, customer_emails, phones), events) in enumerate(
        zip(people, histories, strict=True)
    ):
        for number, ((kind, slot, a, b, granted), minute) in enumerate(events):
            # Distinct times: the order of events is what the property is about, not ties.
            at = BASE + timedelta(minutes=minute, seconds=number, microseconds=index)
            event_id = f"{customer_id}-{number}"
            if kind == "consent":
                identifier_type = "phone" if a == "sms" else "email"
                values = phones if identifier_type == "phone" else customer_emails
                if not values:
                    continue
                consents.append(dict(
                    consent_event_id=event_id, identifier=values[slot % len(values)],
                    identifier_type=identifier_type,
                    identifier_normalized=values[slot % len(values)], channel=a, purpose=b,
                    consent_status="granted" if granted else "revoked", is_granted=granted,
                    occurred_at=at, consent_source="preference_center",
                ))  # fmt: skip
            elif kind == "email":
                value = customer_emails[slot % len(customer_emails)]
                emails.append(dict(
                    email_event_id=event_id, campaign_id="C1", email=value,
                    email_normalized=value,
                    event_type="bounce" if a.endswith("bounce") else a,
                    bounce_type=a.split("_")[0] if a.endswith("bounce") else None,
                    occurred_at=at,
                ))  # fmt: skip
            else:
                values = phones if a == "phone" else customer_emails
                if not values:
                    continue
                erasures.append(dict(
                    erasure_request_id=event_id, identifier=values[slot % len(values)],
                    identifier_type=a, identifier_normalized=values[slot % len(values)],
                    requested_at=at, request_source="web_form",
                ))  # fmt: skip
    for table, rows in (
        ("staging.stg_consent__events", consents),
        ("staging.stg_email__engagement_events", emails),
        ("staging.stg_privacy__erasure_requests", erasures),
    ):
        connection.execute(f"delete from {table}")
        for row in rows:
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            connection.execute(
                f"insert into {table} ({columns}) values ({marks})", list(row.values())
            )
    return consents + emails + erasures


def _violation(row_channel, row_purpose, customer, exported, history, do_not_contact):
    """Why this exported row breaks the rules, from the generated history only (None if fine)."""
    customer_id, customer_emails, phones = customer
    own = set(customer_emails) | set(phones)
    if any(entry.get("erasure_request_id") and entry["identifier_normalized"] in own
           for entry in history):  # fmt: skip
        return "erased customer exported"
    if any(entry["identifier_value"] in own for entry in do_not_contact):
        return "do-not-contact customer exported"
    candidates = customer_emails if row_channel in ("email", "ads") else phones
    if row_channel == "ads":
        matches = [v for v in candidates if hashlib.sha256(v.encode()).hexdigest() == exported]
    else:
        matches = [v for v in candidates if v == exported]
    if not matches:
        return "identifier not the customer's"
    identifier = matches[0]
    consents = sorted(
        (e for e in history if e.get("consent_event_id") and e["channel"] == row_channel
         and e["purpose"] == row_purpose and e["identifier_normalized"] in candidates),
        key=lambda e: e["occurred_at"],
    )  # fmt: skip
    own_consents = [e for e in consents if e["identifier_normalized"] == identifier]
    if not own_consents or not own_consents[-1]["is_granted"]:
        return "identifier without current consent"
    if not consents[-1]["is_granted"]:
        return "customer's latest consent for the channel and purpose is a revocation"
    granted_at = own_consents[-1]["occurred_at"]
    for entry in history:
        if entry.get("email_event_id") and entry["email_normalized"] == identifier:
            kind = entry["event_type"]
            if kind == "spam_complaint" or (kind == "bounce" and entry["bounce_type"] == "hard"):
                return f"suppressed address ({kind}) exported"
            if kind == "unsubscribe" and entry["occurred_at"] >= granted_at:
                return "unsubscribed address exported"
    return None


def test_no_export_holds_a_customer_without_consent_or_erased_or_suppressed(warehouse):
    metas = _audience_meta(warehouse)
    people = _people(warehouse, 60)
    assert len(people) >= 40
    do_not_contact = [
        {"identifier_type": "email", "identifier_value": customer_emails[0]}
        for _, customer_emails, _ in people[::DO_NOT_CONTACT_EVERY]
    ]
    dbt_vars = json.dumps({"audience_do_not_contact": do_not_contact})
    exported_rows: list[int] = []
    every_grant = [
        (("consent", 0, channel, purpose, True), minute)
        for minute, (channel, purpose) in enumerate(itertools.product(CHANNELS, PURPOSES))
    ]

    @settings(
        max_examples=10,
        deadline=None,
        # No shrinking: each example is a dbt run, and the assertion already names the audience,
        # customer and broken rule.
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(histories=st.lists(history, min_size=len(people), max_size=len(people)))
    # Everyone grants every channel and purpose: with this example the exports cannot all be
    # empty by chance (ten generated examples once granted too little to export anyone), so the
    # guard below fails only when grants really stop reaching the exports.
    @example(histories=[every_grant] * len(people))
    def check(histories):
        with connect_warehouse(warehouse.path, read_only=False) as connection:
            history = _write_histories(connection, people, histories)
        warehouse.dbt(
            "run", "--select", *AUDIENCE_MODELS.split(),
            "--vars", dbt_vars,
        )  # fmt: skip
        by_id = {customer[0]: customer for customer in people}
        count = 0
        for name, meta in metas.items():
            identifier_field = {"email": "email", "ads": "hashed_email", "sms": "phone"}[
                meta["channel"]
            ]
            for customer_id, exported in warehouse.query(
                f"select customer_id, {identifier_field} from audiences.{name}"
            ):
                count += 1
                # Customers outside the generated population have no consent events at all.
                assert customer_id in by_id, f"{name}: {customer_id} exported without consent"
                problem = _violation(
                    meta["channel"], meta["consent_purpose"], by_id[customer_id], exported,
                    history, do_not_contact,
                )  # fmt: skip
                assert problem is None, f"{name}: {customer_id}: {problem}"
        exported_rows.append(count)

    check()
    # The property must have had something to check: generated grants do reach the exports.
    assert sum(exported_rows) > 0
