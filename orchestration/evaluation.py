"""Score resolved customers against a ground truth of who each source record really is.

Pairwise metrics, the standard for entity resolution: every pair of source records that share a
customer is a predicted match, every pair that share a true person is a true match.
precision = correct predicted pairs / predicted pairs; recall = correct predicted pairs / true
pairs. Also counted: customers that merge several people (over-merges) and people split over
several customers (under-merges). Only records present in both the warehouse and the truth count.

Next to the headline recall over all records, and clearly labelled as such, a second recall over
records that carry identifier evidence: it leaves out anonymous devices, web devices with no
login, completed order, form email or email click (nothing but their own device id in
intermediate.int_identifiers_normalized), which no rule may link. It is computed only where that
relation exists (the working warehouse); what it leaves out does not depend on the resolver's
decisions, only on the records.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg

from orchestration.settings import Settings
from orchestration.warehouse import connect_warehouse

RESOLVED_RELATION = "marts.customer_source_records"
IDENTIFIERS_RELATION = "intermediate.int_identifiers_normalized"


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
    anonymous_device_count: int | None = None
    evidence_true_pair_count: int | None = None
    evidence_correct_pair_count: int | None = None

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

    @property
    def recall_over_records_with_evidence(self) -> float | None:
        """Recall leaving out anonymous devices; None where it could not be computed."""
        if self.evidence_true_pair_count is None or self.evidence_correct_pair_count is None:
            return None
        if not self.evidence_true_pair_count:
            return 1.0
        return self.evidence_correct_pair_count / self.evidence_true_pair_count

    def as_metadata(self) -> dict[str, float | int]:
        metadata = {
            **{key: value for key, value in asdict(self).items() if value is not None},
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }
        if self.recall_over_records_with_evidence is not None:
            metadata["recall_over_records_with_evidence"] = round(
                self.recall_over_records_with_evidence, 6
            )
        return metadata


# Each resolved record beside its true person; {records_filter} may leave records out.
MATCHED_SQL = """
matched as (
    select resolved.customer_id, truth.person_id
    from {relation} as resolved
    inner join read_csv($truth_path, header = true, all_varchar = true) as truth
        on truth.source_table = resolved.source_table
        and truth.record_key = resolved.record_key
    {records_filter}
)"""


EVALUATION_SQL = """
with
{matched},
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


EVIDENCE_SQL = """
with
anonymous_devices as (
    select source_record_id
    from {identifiers}
    where source_record_id like 'web\\_\\_devices:%' escape '\\'
    group by 1
    having count(*) filter (where identifier_type <> 'device_id') = 0
),
{matched},
cells as (select customer_id, person_id, count(*) as n from matched group by all),
people as (select person_id, count(*) as n from matched group by all)
select
    (select count(*) from anonymous_devices),
    (select coalesce(sum(n * (n - 1) // 2), 0) from people),
    (select coalesce(sum(n * (n - 1) // 2), 0) from cells)
"""


def evaluate_identity(
    warehouse_path: Path,
    truth_path: Path,
    relation: str = RESOLVED_RELATION,
    identifiers_relation: str = IDENTIFIERS_RELATION,
) -> IdentityEvaluation:
    if not truth_path.exists():
        raise FileNotFoundError(f"no ground truth at {truth_path}")
    parameters = {"truth_path": str(truth_path)}
    with connect_warehouse(warehouse_path) as connection:
        every_record = MATCHED_SQL.format(relation=relation, records_filter="")
        row = connection.execute(EVALUATION_SQL.format(matched=every_record), parameters).fetchone()
        schema, _, table = identifiers_relation.rpartition(".")
        has_identifiers = connection.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
        evidence = (
            connection.execute(
                EVIDENCE_SQL.format(
                    identifiers=identifiers_relation,
                    matched=MATCHED_SQL.format(
                        relation=relation,
                        records_filter="where resolved.source_table || ':' || resolved.record_key"
                        " not in (select source_record_id from anonymous_devices)",
                    ),
                ),
                parameters,
            ).fetchone()
            if has_identifiers
            else (None, None, None)
        )
    return IdentityEvaluation(
        *(int(value) for value in row),
        *(None if value is None else int(value) for value in evidence),
    )


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
                + (
                    f"; recall over records with identifier evidence (no anonymous devices) "
                    f"{evaluation.recall_over_records_with_evidence:.4f}"
                    if evaluation.recall_over_records_with_evidence is not None
                    else ""
                )
            ),
            metadata=evaluation.as_metadata(),
        )

    return identity_evaluation_check
