"""Pairwise identity evaluation on hand-made clusters with known answers."""

from pathlib import Path

import duckdb
import pytest

from orchestration.evaluation import evaluate_identity


def _warehouse(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.customer_source_records "
            "(source_table varchar, record_key varchar, customer_id varchar)"
        )
        connection.executemany("insert into marts.customer_source_records values (?, ?, ?)", rows)
    return path


def _truth(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(
        "source_table,record_key,person_id\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    )
    return path


def test_pairwise_scores_over_and_under_merges(tmp_path):
    # Truth: p1 = {a, b, c}, p2 = {d, e}, p3 = {f}. Resolved: c1 = {a, b}, c2 = {c},
    # c3 = {d, e, f} (over-merge of p2 and p3).
    truth = _truth(
        tmp_path / "truth.csv",
        [("t", "a", "p1"), ("t", "b", "p1"), ("t", "c", "p1"), ("t", "d", "p2"),
         ("t", "e", "p2"), ("t", "f", "p3"), ("t", "unresolved", "p4")],
    )  # fmt: skip
    warehouse = _warehouse(
        tmp_path / "w.duckdb",
        [("t", "a", "c1"), ("t", "b", "c1"), ("t", "c", "c2"), ("t", "d", "c3"),
         ("t", "e", "c3"), ("t", "f", "c3"), ("t", "not_in_truth", "c9")],
    )  # fmt: skip
    result = evaluate_identity(warehouse, truth)
    # true pairs: p1 has 3, p2 has 1 -> 4; predicted: c1 1, c3 3 -> 4; correct: ab, de -> 2
    assert (result.true_pair_count, result.predicted_pair_count, result.correct_pair_count) == (
        4,
        4,
        2,
    )
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(0.5)
    assert result.over_merged_customer_count == 1
    assert result.under_merged_person_count == 1
    assert result.record_count == 6
    assert result.largest_customer_record_count == 3


def test_a_perfect_resolution_scores_one(tmp_path):
    rows = [("t", "a", "x"), ("t", "b", "x"), ("t", "c", "y")]
    result = evaluate_identity(
        _warehouse(tmp_path / "w.duckdb", rows), _truth(tmp_path / "t.csv", rows)
    )
    assert result.precision == result.recall == result.f1 == 1.0


def test_missing_truth_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="no ground truth"):
        evaluate_identity(tmp_path / "w.duckdb", tmp_path / "missing.csv")


def test_recall_over_records_with_evidence_leaves_out_anonymous_devices_only(tmp_path):
    # Truth: p1 = {a, dev-known, dev-anon}. Resolved: a and dev-known together, dev-anon alone.
    # dev-anon carries nothing but its device id; dev-known also an account id.
    rows = [
        ("t", "a", "c1"),
        ("web__devices", "dev-known", "c1"),
        ("web__devices", "dev-anon", "c2"),
    ]
    truth = _truth(
        tmp_path / "t.csv",
        [("t", "a", "p1"), ("web__devices", "dev-known", "p1"), ("web__devices", "dev-anon", "p1")],
    )
    warehouse = _warehouse(tmp_path / "w.duckdb", rows)
    assert evaluate_identity(warehouse, truth).recall_over_records_with_evidence is None
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema intermediate")
        connection.execute(
            "create table intermediate.int_identifiers_normalized as select * from (values "
            "('t:a', 'email', 'a@x.com'), ('web__devices:dev-known', 'device_id', 'dev-known'), "
            "('web__devices:dev-known', 'account_id', 'A1'), "
            "('web__devices:dev-anon', 'device_id', 'dev-anon')) "
            "as v(source_record_id, identifier_type, identifier_value)"
        )
    result = evaluate_identity(warehouse, truth)
    assert result.recall == pytest.approx(1 / 3)  # the headline still counts every record
    assert result.anonymous_device_count == 1
    assert (result.evidence_true_pair_count, result.evidence_correct_pair_count) == (1, 1)
    assert result.recall_over_records_with_evidence == pytest.approx(1.0)
    assert result.as_metadata()["recall_over_records_with_evidence"] == 1.0
