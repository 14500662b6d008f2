"""Score resolved customers against a ground truth of who each source record really is.

Pairwise metrics, the standard for entity resolution: every pair of source records that share a
customer is a predicted match, every pair that share a true person is a true match.
precision = correct predicted pairs / predicted pairs; recall = correct predicted pairs / true
pairs. Also counted: customers that merge several people (over-merges) and people split over
several customers (under-merges). Only records present in both the warehouse and the truth count.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import Settings

RESOLVED_RELATION = "marts.customer_source_records"


@dataclass(frozen=True)
class IdentityEvaluation:
    record_count: int
    person_count: int
    customer_count: int
    true_pair_count: int
    predicted_pair_count: int
    correct_pair_count: int
    over_merged_customer_count: int
    under_merged_person_count: int
    largest_customer_record_count: int
    largest_person_record_count: int

    @property
    def precision(self) -> float:
        return (
            self.correct_pair_count / self.predicted_pair_count
            if self.predicted_pair_count
            else 1.0
        )

    @property
    def recall(self) -> float:
        return self.correct_pair_count / self.true_pair_count if self.true_pair_count else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_metadata(self) -> dict[str, float | int]:
        return {
            **asdict(self),
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }


EVALUATION_SQL = """
with
matched as (
    select resolved.customer_id, truth.person_id
    from {relation} as resolved
    inner join read_csv($truth_path, header = true, all_varchar = true) as truth
        on truth.source_table = resolved.source_table
        and truth.record_key = resolved.record_key
),
cells as (select customer_id, person_id, count(*) as n from matched group by all),
customers as (select customer_id, count(*) as n, count(distinct person_id) as people
              from matched group by all),
people as (select person_id, count(*) as n, count(distinct customer_id) as customers
           from matched group by all)
select
    (select count(*) from matched),
    (select count(*) from people),
    (select count(*) from customers),
    (select coalesce(sum(n * (n - 1) // 2), 0) from people),
    (select coalesce(sum(n * (n - 1) // 2), 0) from customers),
    (select coalesce(sum(n * (n - 1) // 2), 0) from cells),
    (select count(*) from customers where people > 1),
    (select count(*) from people where customers > 1),
    (select coalesce(max(n), 0) from customers),
    (select coalesce(max(n), 0) from people)
"""


def evaluate_identity(
    warehouse_path: Path, truth_path: Path, relation: str = RESOLVED_RELATION
) -> IdentityEvaluation:
    if not truth_path.exists():
        raise FileNotFoundError(f"no ground truth at {truth_path}")
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        row = connection.execute(
            EVALUATION_SQL.format(relation=relation), {"truth_path": str(truth_path)}
        ).fetchone()
    return IdentityEvaluation(*(int(value) for value in row))


def build_identity_evaluation_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="identity_precision_against_ground_truth",
        blocking=True,
        description=(
            "Pairwise precision/recall of resolved customers against the ground truth file "
            "(CW_TRUTH_DIR/identity_truth.csv); fails below CW_MIN_IDENTITY_PRECISION."
        ),
    )
    def identity_evaluation_check() -> dg.AssetCheckResult:
        settings = Settings.from_env()
        truth_path = settings.truth_dir / "identity_truth.csv"
        if not truth_path.exists():
            return dg.AssetCheckResult(
                passed=True,
                description=f"No ground truth at {truth_path}: nothing to score (production data).",
            )
        evaluation = evaluate_identity(settings.warehouse_path, truth_path)
        passed = evaluation.precision >= settings.min_identity_precision
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"pairwise precision {evaluation.precision:.4f}, recall {evaluation.recall:.4f}, "
                f"F1 {evaluation.f1:.4f} (bar: precision >= {settings.min_identity_precision})"
            ),
            metadata=evaluation.as_metadata(),
        )

    return identity_evaluation_check
