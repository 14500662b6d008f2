"""Customer ids survive reruns: same input changes nothing; new data changes only merges, splits.

Runs the real dbt project (seeds and models, no tests) several times against one DuckDB file, the
way the daily job does, with landing files that grow between runs.
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse

# One worker runs the whole module, so its module-scoped fixtures run once (docs/test-suite.md).
pytestmark = pytest.mark.xdist_group("identity_stability")

ORDER_COLUMNS = (
    "order_id", "account_id", "email", "phone", "status", "currency", "subtotal_amount",
    "discount_amount", "shipping_amount", "total_amount", "refunded_amount", "ordered_at",
    "updated_at",
)  # fmt: skip


def _build(raw_dir: Path, warehouse: Path, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
    }
    command = [
        str(Path(sys.executable).parent / "dbt"), "build", "--select", "+customers",
        "+customer_id_changes", "--exclude-resource-type", "test", "--exclude-resource-type",
        "unit_test", "--target-path", str(tmp_path / "target"), "--log-path",
        str(tmp_path / "logs"),
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:]


def _identity_map(warehouse: Path) -> dict[str, str]:
    with connect_warehouse(warehouse) as connection:
        return dict(
            connection.execute(
                "select source_record_id, customer_id from intermediate.int_identity_map"
            ).fetchall()
        )


def _changes(warehouse: Path) -> list[tuple[str, str, str]]:
    with connect_warehouse(warehouse) as connection:
        return connection.execute(
            "select from_customer_id, to_customer_id, change_type from marts.customer_id_changes "
            "order by all"
        ).fetchall()


def _append_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _order(order_id: str, account_id: str, email: str, phone: str = "") -> dict[str, str]:
    return {
        "order_id": order_id, "account_id": account_id, "email": email, "phone": phone,
        "status": "delivered", "currency": "USD", "subtotal_amount": "20.00",
        "discount_amount": "", "shipping_amount": "0.00", "total_amount": "20.00",
        "refunded_amount": "", "ordered_at": "2026-06-29T10:00:00Z",
        "updated_at": "2026-06-29T10:00:00Z",
    }  # fmt: skip


@pytest.fixture(scope="module")
def stability_runs(tmp_path_factory, demo_data):
    tmp_path = tmp_path_factory.mktemp("stability")
    raw_dir = tmp_path / "raw"
    shutil.copytree(demo_data[0], raw_dir)
    warehouse = tmp_path / "working.duckdb"

    _build(raw_dir, warehouse, tmp_path)
    first = _identity_map(warehouse)
    _build(raw_dir, warehouse, tmp_path)
    second = _identity_map(warehouse)

    with connect_warehouse(warehouse) as connection:
        (account_a, customer_a), (email_b, customer_b) = connection.execute(
            """
            with accounts as (
                select c.record_key, c.customer_id,
                       row_number() over (order by c.customer_id) as n
                from intermediate.int_source_records_resolved as c
                where c.source_table = 'shop__customers'
            )
            select a.record_key, a.customer_id from accounts as a where n = 1
            union all
            select s.email_normalized, a.customer_id
            from accounts as a
            inner join staging.stg_shop__customers as s on s.account_id = a.record_key
            where n = 2
            """
        ).fetchall()
    # ~1% new records: new guest buyers, one new order per existing account, and one order that
    # carries customer A's account and customer B's email: A and B are one person after all.
    new_orders = [_order(f"NEW{i:04d}", "", f"new.buyer{i}@example.net") for i in range(12)]
    new_orders.append(_order("BRIDGE0001", account_a, email_b))
    _append_csv(raw_dir / "shop" / "orders" / "orders_increment_1.csv", ORDER_COLUMNS, new_orders)
    # A new person known by a phone only: a CRM contact and a loyalty member share it.
    _append_csv(
        raw_dir / "crm" / "contacts" / "contacts_increment_1.csv",
        ("contact_id", "phone", "first_name", "created_at", "updated_at"),
        [{"contact_id": "CNEW1", "phone": "+16465550199", "first_name": "Zed",
          "created_at": "2026-06-01T00:00:00Z", "updated_at": "2026-06-01T00:00:00Z"}],
    )  # fmt: skip
    _append_csv(
        raw_dir / "loyalty" / "members" / "members_increment_1.csv",
        ("loyalty_id", "email", "phone", "joined_at", "updated_at"),
        [{"loyalty_id": "LNEW1", "email": "zed@example.net", "phone": "+16465550199",
          "joined_at": "2026-06-02T00:00:00Z", "updated_at": "2026-06-02T00:00:00Z"}],
    )  # fmt: skip
    _build(raw_dir, warehouse, tmp_path)
    third = _identity_map(warehouse)
    # Another person turns up with the same phone: it becomes a shared (household) phone, so the
    # contact and the loyalty member are no longer linked: a split.
    _append_csv(
        raw_dir / "shop" / "orders" / "orders_increment_2.csv",
        ORDER_COLUMNS,
        [_order("NEWPHONE01", "", "someone.else@example.net", "+16465550199")],
    )
    _build(raw_dir, warehouse, tmp_path)
    fourth = _identity_map(warehouse)
    return {
        "maps": (first, second, third, fourth),
        "merged": (customer_a, customer_b),
        "changes": _changes(warehouse),
    }


def test_a_rerun_on_identical_input_keeps_every_customer_id(stability_runs):
    first, second, _, _ = stability_runs["maps"]
    assert first == second
    assert len(first) > 500


def test_new_data_keeps_every_id_that_did_not_merge(stability_runs):
    _, second, third, _ = stability_runs["maps"]
    customer_a, customer_b = stability_runs["merged"]
    survivor = third["shop__orders:BRIDGE0001"]
    assert survivor in (customer_a, customer_b)
    retired = customer_b if survivor == customer_a else customer_a
    changed = {record for record, customer in second.items() if third[record] != customer}
    assert changed, "the bridging order should have merged two customers"
    assert all(second[record] == retired and third[record] == survivor for record in changed)
    new_records = set(third) - set(second)
    assert len(new_records) >= 14
    assert (f"{retired}", survivor, "merge") in stability_runs["changes"]


def test_a_split_gives_new_ids_and_is_recorded(stability_runs):
    _, _, third, fourth = stability_runs["maps"]
    contact, member = "crm__contacts:CNEW1", "loyalty__members:LNEW1"
    assert third[contact] == third[member]
    assert fourth[contact] != fourth[member]
    assert third[contact] in (fourth[contact], fourth[member])
    split_off = fourth[member] if fourth[contact] == third[contact] else fourth[contact]
    assert (third[contact], split_off, "split") in stability_runs["changes"]
    unaffected = set(third) - {contact, member}
    assert all(fourth[record] == third[record] for record in unaffected)
