"""Identity resolution on a hand-written landing directory that follows docs/sources.md.

The generator's data is not the only input the warehouse must take: tests/fixtures/handwritten/
holds a few people written by hand, in CSV files laid out as the contract says (two files for one
table, columns in another order, optional columns left out, a byte-order mark, Windows line
endings, quoted commas and line breaks, timestamps with offsets, accents and non-Latin names).
The two Parquet tables are written here from Python rows at test time. The Dagster job runs on it
end to end, and the published customers must be exactly the people of expected_clusters.csv.
Below 500 named records the Splink step trains no model, so only the deterministic rules apply.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.runner import execute_job
from orchestration.settings import Settings
from orchestration.warehouse import connect_warehouse
from tests.conftest import WarehouseEnvironment

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("identity_handwritten")

FIXTURES = Path(__file__).parent / "fixtures" / "handwritten"
AS_OF_DATE = "2026-06-30"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# web/events, file 1: every column, timestamps with a time zone (as a tracking export writes them).
WEB_EVENTS_SITE = [
    # Jane's laptop: logged in as C001, then completed her order.
    ("ev-001", "dev-jane-laptop", None, "page_view", "web", "/", None, "2026-03-02T09:00:00+00:00"),
    ("ev-002", "dev-jane-laptop", "C001", "login", "web", "/login", None,
     "2026-03-02T09:01:00+00:00"),
    ("ev-003", "dev-jane-laptop", "C001", "order_completed", "web", "/checkout/done",
     '{"order_id": "O1001", "revenue": 115.0}', "2026-03-05T18:00:00+00:00"),
    # The Becker family iPad: Tom and Lisa both log in on it.
    ("ev-010", "dev-becker-ipad", "C008", "login", "web", "/login", None,
     "2026-03-22T08:55:00+00:00"),
    ("ev-011", "dev-becker-ipad", None, "product_view", "web", "/p/P-700",
     '{"product_id": "P-700"}', "2026-03-29T16:50:00+00:00"),
    ("ev-012", "dev-becker-ipad", "C009", "login", "web", "/login", None,
     "2026-03-29T16:55:00+00:00"),
    ("ev-013", "dev-becker-ipad", "C009", "order_completed", "web", "/checkout/done",
     '{"order_id": "O1009"}', "2026-03-29T17:00:00+00:00"),
    # Marta's tablet: never logged in, typed her email into the newsletter form.
    ("ev-020", "dev-marta-tablet", None, "page_view", "web", "/blog", None,
     "2026-03-04T17:00:00+00:00"),
    ("ev-021", "dev-marta-tablet", None, "newsletter_signup", "web", "/newsletter",
     '{"email": " Marta.Kowalska+news@gmail.com", "list": "weekly"}', "2026-03-04T17:02:00+00:00"),
    # Oliver's device: the landing page of his click in campaign CMP-02 (email event EE-031).
    ("ev-030", "dev-oliver-click", None, "page_view", "web", "/spring?utm_source=email",
     '{"email_event_id": "EE-031"}', "2026-03-17T12:05:00+00:00"),
    # Nobody: page views only.
    ("ev-040", "dev-anonymous", None, "page_view", "web", "/", None, "2026-04-01T10:00:00+00:00"),
    ("ev-041", "dev-anonymous", None, "search", "web", "/search?q=mug", '{"query": "mug"}',
     "2026-04-01T10:01:00+00:00"),
]  # fmt: skip
WEB_EVENT_COLUMNS = (
    "event_id", "anonymous_id", "user_id", "event_name", "platform", "page_url", "properties",
    "occurred_at",
)  # fmt: skip
WEB_EVENTS_SITE_SCHEMA = pa.schema(
    [(name, pa.string()) for name in WEB_EVENT_COLUMNS[:-1]]
    + [("occurred_at", pa.timestamp("us", tz="UTC"))]
)

# web/events, file 2: an app export: other column order, no platform or page_url (optional),
# timestamps without a time zone (UTC) in milliseconds.
WEB_EVENTS_APP = [
    # José's phone: a guest checkout, completed in the app without an account.
    ("2026-03-15T17:40:00", "app_open", "dev-jose-phone", "ev-050", None, None),
    ("2026-03-15T17:45:00", "order_completed", "dev-jose-phone", "ev-051", None,
     '{"order_id": "O1006", "revenue": 59.9}'),
    # Tom's own phone: logged in as C008.
    ("2026-03-20T08:05:00", "app_open", "dev-tom-phone", "ev-060", None, None),
    ("2026-03-20T08:06:00", "login", "dev-tom-phone", "ev-061", "C008", None),
]  # fmt: skip
WEB_EVENTS_APP_SCHEMA = pa.schema(
    [
        ("occurred_at", pa.timestamp("ms")),
        ("event_name", pa.string()),
        ("anonymous_id", pa.string()),
        ("event_id", pa.string()),
        ("user_id", pa.string()),
        ("properties", pa.string()),
    ]
)

# email/engagement_events: no bounce_type column (optional), addresses as the ESP wrote them.
EMAIL_EVENTS = [
    ("EE-001", "CMP-01", "janedoe@googlemail.com", "sent", None, "2026-03-03T08:00:00+00:00"),
    ("EE-002", "CMP-01", "janedoe@googlemail.com", "delivered", None, "2026-03-03T08:00:05+00:00"),
    ("EE-003", "CMP-01", "janedoe@googlemail.com", "open", None, "2026-03-03T19:30:00+00:00"),
    ("EE-004", "CMP-01", "Jane.Doe+news@gmail.com", "delivered", None, "2026-03-03T08:00:06+00:00"),
    ("EE-010", "CMP-01", "Marta.Kowalska@gmail.com", "sent", None, "2026-03-03T08:00:00+00:00"),
    ("EE-011", "CMP-01", "Marta.Kowalska@gmail.com", "open", None, "2026-03-03T09:00:00+00:00"),
    ("EE-030", "CMP-02", "Oliver.Smith@BTInternet.com", "delivered", None,
     "2026-03-17T07:00:05+00:00"),
    ("EE-031", "CMP-02", "Oliver.Smith@BTInternet.com", "click",
     "https://shop.example/spring?utm_source=email", "2026-03-17T12:04:50+00:00"),
    ("EE-040", "CMP-02", "newsletter.only@proton.me", "delivered", None,
     "2026-03-17T07:00:06+00:00"),
]  # fmt: skip
EMAIL_EVENTS_SCHEMA = pa.schema(
    [
        (name, pa.string())
        for name in ("email_event_id", "campaign_id", "email", "event_type", "url")
    ]
    + [("occurred_at", pa.timestamp("us", tz="UTC"))]
)


def _write_parquet(path: Path, schema: pa.Schema, rows: list[tuple]) -> None:
    timestamp_columns = {
        index for index, field in enumerate(schema) if pa.types.is_timestamp(field.type)
    }
    records = [
        {
            field.name: _at(value) if index in timestamp_columns else value
            for index, (field, value) in enumerate(zip(schema, row, strict=True))
        }
        for row in rows
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records, schema=schema), path)


def landing_directory(target: Path) -> Path:
    """The hand-written CSV files, plus the Parquet tables written from the rows above."""
    shutil.copytree(FIXTURES / "raw", target)
    _write_parquet(
        target / "web" / "events" / "site.parquet", WEB_EVENTS_SITE_SCHEMA, WEB_EVENTS_SITE
    )
    _write_parquet(target / "web" / "events" / "app.parquet", WEB_EVENTS_APP_SCHEMA, WEB_EVENTS_APP)
    _write_parquet(
        target / "email" / "engagement_events" / "esp_export.parquet",
        EMAIL_EVENTS_SCHEMA,
        EMAIL_EVENTS,
    )
    return target


def expected_clusters() -> dict[str, frozenset[str]]:
    """Person label to the source record ids that must make up that one customer."""
    clusters: dict[str, set[str]] = defaultdict(set)
    with (FIXTURES / "expected_clusters.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            clusters[row["person"]].add(row["source_record_id"])
    return {person: frozenset(records) for person, records in clusters.items()}


@pytest.fixture(scope="module")
def handwritten_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("handwritten")
    raw_dir = landing_directory(root / "raw")
    environment = WarehouseEnvironment(root, raw_dir)
    environment.values["CW_AS_OF_DATE"] = AS_OF_DATE
    with environment as settings:
        report = execute_job(settings)
    return settings, report


@pytest.fixture(scope="module")
def source_records(handwritten_run) -> dict[str, tuple[str, str]]:
    """Published source record id to (customer id, link rule)."""
    settings, report = handwritten_run
    assert report.success, "\n".join(report.step_failures + report.checks_failed)
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        rows = connection.execute(
            "select source_record_id, customer_id, source_table, record_key, link_rule "
            "from marts.customer_source_records"
        ).fetchall()
    for source_record_id, _, source_table, record_key, _ in rows:
        assert source_record_id == f"{source_table}:{record_key}"
    return {row[0]: (row[1], row[4]) for row in rows}


def _customer_of(source_records: dict[str, tuple[str, str]], source_record_id: str) -> str:
    return source_records[source_record_id][0]


def test_the_build_takes_the_as_of_date_without_parsing_the_project_again(handwritten_run):
    """The suite's run with an as-of date. `cw run` parses the project before the job starts;
    the dbt build in the job must reuse that parse (dbt parses everything again when --vars
    differ from the saved parse's) and still describe the as-of date, which it reads from
    CW_AS_OF_DATE (macros/as_of_date_setting.sql, docs/orchestration-overhead.md)."""
    settings, report = handwritten_run
    assert report.success, "\n".join(report.step_failures + report.checks_failed)
    build_folders = list(settings.dbt_target_path.glob(f"*-{report.run_id[:7]}-*"))
    assert len(build_folders) == 1, build_folders
    build_log = "".join(path.read_text() for path in build_folders[0].glob("dbt.log*"))
    assert "dbt build" in build_log
    assert "Unable to do partial parsing" not in build_log
    assert "Partial parsing enabled" in build_log
    with connect_warehouse(settings.warehouse_path) as connection:
        as_of_date = connection.execute(
            "select cast(as_of_date as varchar) from intermediate.int_as_of_date"
        ).fetchone()
    assert as_of_date == (AS_OF_DATE,)


def test_fixture_keeps_the_csv_variants_the_contract_allows():
    """Guards the premise: an editor or a line-ending filter must not flatten these files."""
    raw = FIXTURES / "raw"
    first_accounts = (raw / "shop" / "customers" / "accounts_2026-03-01.csv").read_bytes()
    second_accounts = (raw / "shop" / "customers" / "accounts_2026-04-01.csv").read_bytes()
    assert first_accounts.startswith(b"\xef\xbb\xbf"), "the UTF-8 byte-order mark is gone"
    assert second_accounts.startswith(b"updated_at,email,account_id"), "column order changed"
    assert b"date_of_birth" not in second_accounts, "optional columns are left out here"
    tickets = (raw / "support" / "tickets" / "tickets.csv").read_bytes()
    assert tickets.count(b"\r\n") == tickets.count(b"\n") > 1, "Windows line endings are gone"
    assert (
        b'"Great shop,\nfast delivery"'
        in (raw / "surveys" / "nps_responses").joinpath("nps_2026-q1.csv").read_bytes()
    )
    assert b"phone" not in (raw / "loyalty" / "members" / "members.csv").read_bytes()


def test_run_on_handwritten_data_publishes_without_quarantining_a_row(handwritten_run):
    settings, report = handwritten_run
    assert report.success, "\n".join(report.step_failures + report.checks_failed)
    assert not report.checks_failed
    with connect_warehouse(settings.warehouse_path) as connection:
        quarantine_models = [
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = 'staging' "
                "and table_name like 'stg\\_%\\_\\_quarantined\\_rows' escape '\\' order by 1"
            ).fetchall()
        ]
        assert len(quarantine_models) >= 10, quarantine_models
        quarantined = {
            name: connection.execute(
                f"select source_table, rejection_reason, raw_row from staging.{name}"
            ).fetchall()
            for name in quarantine_models
        }
    assert not any(quarantined.values()), {k: v for k, v in quarantined.items() if v}


def test_resolved_customers_are_exactly_the_hand_written_people(source_records):
    expected = expected_clusters()
    expected_records = set().union(*expected.values())
    assert set(source_records) == expected_records, (
        f"missing: {sorted(expected_records - set(source_records))}, "
        f"unexpected: {sorted(set(source_records) - expected_records)}"
    )
    resolved: dict[str, set[str]] = defaultdict(set)
    for source_record_id, (customer_id, _) in source_records.items():
        resolved[customer_id].add(source_record_id)
    actual_clusters = {frozenset(records) for records in resolved.values()}
    wrong = {
        person: sorted(
            cluster for cluster in actual_clusters if cluster & records and cluster != records
        )
        for person, records in expected.items()
        if records not in actual_clusters
    }
    assert actual_clusters == set(expected.values()), f"clusters that differ, by person: {wrong}"


def test_each_record_says_which_rule_linked_it(source_records):
    rules = {record: rule for record, (_, rule) in source_records.items()}
    assert rules["crm__contacts:K001"] == "shared_phone"
    assert rules["loyalty__members:L001"] == "shared_email"
    assert rules["loyalty__members:L002"] == "shared_email"
    assert rules["web__devices:dev-marta-tablet"] == "shared_email"
    assert rules["web__devices:dev-oliver-click"] == "shared_email"
    assert rules["web__devices:dev-jose-phone"] == "shared_order_id"
    assert rules["web__devices:dev-jane-laptop"] == "shared_account_id"
    assert rules["shop__orders:O1004"] == "shared_account_id"
    for singleton in (
        "web__devices:dev-becker-ipad",
        "support__tickets:T05",
        "crm__contacts:K004",
        "web__devices:dev-anonymous",
    ):
        assert rules[singleton] == "unlinked", singleton


def _identifiers(settings: Settings) -> dict[str, dict[tuple[str, str], tuple[bool, str | None]]]:
    """Customer id to {(identifier type, value): (used for linking, exclusion reason)}."""
    identifiers: dict[str, dict[tuple[str, str], tuple[bool, str | None]]] = defaultdict(dict)
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        for customer_id, kind, value, used, reason in connection.execute(
            "select customer_id, identifier_type, identifier_value, is_used_for_linking, "
            "exclusion_reason from marts.customer_identifiers"
        ).fetchall():
            identifiers[customer_id][(kind, value)] = (used, reason)
    return identifiers


@pytest.mark.parametrize(
    ("source_record_id", "identifier_type", "expected_values"),
    [
        # Gmail: case, spaces, dots, +tags and googlemail.com are one mailbox.
        ("shop__customers:C001", "email", {"janedoe@gmail.com"}),
        # Domains other than Gmail keep their dots; case folds.
        ("shop__customers:C002", "email", {"juergen.weiss@web.de"}),
        ("crm__contacts:K002", "email", {"martakowalska@gmail.com"}),
        ("shop__customers:C006", "email", {"jose.alvarez@outlook.com"}),
        # (415) 867-2309 (row country US), +1 415 867 2309, 415.867.2309 (default country).
        ("shop__customers:C001", "phone", {"+14158672309"}),
        # 030 12345678 (row country DE) and 0049 30 12345678.
        ("shop__customers:C002", "phone", {"+493012345678"}),
        # 07700 900123 (row country GB), +44 (0)7700 900123, 0044 7700 900123.
        ("shop__customers:C003", "phone", {"+447700900123"}),
        ("shop__customers:C004", "phone", {"+4520123456"}),
        ("shop__customers:C005", "phone", {"+819012345678"}),
        # +18887467669 and the vanity 1-888-SHOP-NOW.
        ("shop__customers:C006", "phone", {"+18887467669"}),
        ("shop__customers:C008", "phone", {"+4915123456789"}),
        ("crm__contacts:K004", "phone", {"+46812345678"}),
        ("web__devices:dev-jose-phone", "order_id", {"O1006"}),
        ("web__devices:dev-jane-laptop", "account_id", {"C001"}),
    ],
)
def test_identifiers_are_normalized(
    handwritten_run, source_records, source_record_id, identifier_type, expected_values
):
    settings, _ = handwritten_run
    customer = _customer_of(source_records, source_record_id)
    known = _identifiers(settings)[customer]
    values = {value for kind, value in known if kind == identifier_type}
    assert values == expected_values
    assert all(known[(identifier_type, value)] == (True, None) for value in values)


def test_shared_and_junk_identifiers_are_kept_but_link_nobody(handwritten_run, source_records):
    settings, _ = handwritten_run
    identifiers = _identifiers(settings)
    robert = identifiers[_customer_of(source_records, "shop__customers:C010")]
    maria = identifiers[_customer_of(source_records, "crm__contacts:K003")]
    landline = ("phone", "+12127493821")
    assert robert[landline] == maria[landline] == (False, "shared_identifier")

    junk = ("email", "test@test.com")
    wei = identifiers[_customer_of(source_records, "shop__customers:C012")]
    requester = identifiers[_customer_of(source_records, "support__tickets:T05")]
    assert wei[junk] == requester[junk] == (False, "junk_identifier")

    ipad = identifiers[_customer_of(source_records, "web__devices:dev-becker-ipad")]
    assert ipad[("device_id", "dev-becker-ipad")] == (False, "shared_device")
    assert {value for kind, value in ipad if kind == "account_id"} == {"C008", "C009"}


def test_profiles_keep_unicode_names_and_timestamps_land_in_utc(handwritten_run, source_records):
    settings, _ = handwritten_run
    names = {
        _customer_of(source_records, "shop__customers:C002"): ("Jürgen", "Weiß"),
        _customer_of(source_records, "shop__customers:C004"): ("Søren", "Østergaard"),
        _customer_of(source_records, "shop__customers:C005"): ("太郎", "山田"),
        _customer_of(source_records, "crm__contacts:K004"): ("Björn", "Ångström"),
    }
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        published_names = dict(
            (customer_id, (first, last))
            for customer_id, first, last in connection.execute(
                "select customer_id, first_name, last_name from marts.customers"
            ).fetchall()
        )
        customer_count = connection.execute("select count(*) from marts.customers").fetchone()
    assert customer_count == (len(expected_clusters()),)
    assert {customer: published_names[customer] for customer in names} == names

    with connect_warehouse(settings.warehouse_path) as connection:
        orders = dict(
            (order_id, (status, str(ordered_at), str(updated_at)))
            for order_id, status, ordered_at, updated_at in connection.execute(
                "select order_id, order_status, ordered_at, updated_at "
                "from staging.stg_shop__orders"
            ).fetchall()
        )
        c001 = connection.execute(
            "select address_line1, created_at from staging.stg_shop__customers "
            "where account_id = 'C001'"
        ).fetchall()
    # The later version of O1001 wins; -08:00, -07:00, no offset and +09:00 all become UTC.
    assert orders["O1001"] == ("delivered", "2026-03-05 18:00:00", "2026-03-09 22:30:00")
    assert orders["O1006"][1] == "2026-03-15 17:45:00"
    assert orders["O1005"][1] == "2026-03-12 12:00:00"
    # The account's later version (second file, other column order) wins, quoted comma intact.
    assert c001 == [("1 Ferry Building, Suite 2", datetime(2026, 1, 10, 8, 0))]
