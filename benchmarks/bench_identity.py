"""Identity resolution at scale, ours next to Splink alone, on the same generated records.

    python benchmarks/bench_identity.py --people 200000

1. Generates demo data (about five identity-bearing source records per person).
2. Ours: `dbt build` of everything identity resolution needs (staging of the identity sources,
   normalization, exclusions, deterministic edges, the Splink model, connected components, the
   identity map), timed, with the peak memory of the dbt process.
3. Splink alone: the same source records (from step 2's int_identity_source_records) deduplicated
   by Splink only (exact-match rules plus its probabilistic model, clustered at 0.99), timed in its
   own process with its peak memory.
4. Both scored against the ground truth (pairwise precision and recall).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

SPLINK_ALONE = r'''
import json, resource, sys, time
import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

warehouse, output = sys.argv[1], sys.argv[2]
started = time.perf_counter()
with duckdb.connect(warehouse, read_only=True) as connection:
    records = connection.execute("""
        select source_record_id, lower(first_name) as first_name, lower(last_name) as last_name,
               date_of_birth, postcode, email_normalized, phone_e164, account_id
        from intermediate.int_identity_source_records
    """).df()
database = DuckDBAPI()
settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="source_record_id",
    comparisons=[
        cl.NameComparison("first_name"), cl.NameComparison("last_name"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
        cl.ExactMatch("postcode"), cl.EmailComparison("email_normalized"),
        cl.ExactMatch("phone_e164"), cl.ExactMatch("account_id"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("email_normalized"), block_on("phone_e164"), block_on("account_id"),
        block_on("last_name", "first_name"),
    ],
)
linker = Linker(database.register(records), settings)
linker.training.estimate_probability_two_random_records_match(
    [block_on("email_normalized"), block_on("account_id")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=7)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("email_normalized"))
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("last_name", "first_name"))
predictions = linker.inference.predict(threshold_match_probability=0.9)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    predictions, threshold_match_probability=0.99).as_pandas_dataframe()
clusters[["source_record_id", "cluster_id"]].to_parquet(output)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def score(connection, clusters_sql: str, truth_path: Path) -> tuple[float, float]:
    row = connection.execute(
        f"""
        with matched as (
            select clusters.cluster_id, truth.person_id
            from ({clusters_sql}) as clusters
            inner join read_csv('{truth_path}', all_varchar = true) as truth
                on truth.source_table || ':' || truth.record_key = clusters.source_record_id
        ),
        cells as (select cluster_id, person_id, count(*) as n from matched group by all),
        clusters as (select cluster_id, count(*) as n from matched group by all),
        people as (select person_id, count(*) as n from matched group by all)
        select
            (select sum(n * (n - 1) / 2) from cells) / (select sum(n * (n - 1) / 2) from clusters),
            (select sum(n * (n - 1) / 2) from cells) / (select sum(n * (n - 1) / 2) from people)
        """
    ).fetchone()
    return float(row[0]), float(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    import duckdb

    from orchestration.generate import generate

    with tempfile.TemporaryDirectory(prefix="cw-bench-identity-") as root:
        root_path = Path(root)
        started = time.perf_counter()
        generate(root_path / "raw", root_path / "truth", arguments.people, arguments.seed)
        print(f"generated {arguments.people:,} people in {time.perf_counter() - started:.0f} s")
        warehouse = root_path / "warehouse" / "working.duckdb"
        warehouse.parent.mkdir()
        environment = {
            **os.environ,
            "CW_RAW_DIR": str(root_path / "raw"),
            "CW_WAREHOUSE_PATH": str(warehouse),
            "CW_DUCKDB_TEMP_DIR": str(root_path / "duckdb_tmp"),
        }
        dbt = str(Path(sys.executable).parent / "dbt")
        command = [
            dbt, "build", "--select", "+int_source_records_resolved", "--exclude-resource-type",
            "test", "--exclude-resource-type", "unit_test", "--target-path",
            str(root_path / "target"), "--log-path", str(root_path / "logs"),
        ]  # fmt: skip
        started = time.perf_counter()
        completed = subprocess.run(
            command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True
        )
        ours_seconds = time.perf_counter() - started
        ours_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if completed.returncode != 0:
            sys.exit(completed.stdout[-3000:])
        clusters = root_path / "splink_alone.parquet"
        completed = subprocess.run(
            [sys.executable, "-c", SPLINK_ALONE, str(warehouse), str(clusters)],
            capture_output=True, text=True,
        )  # fmt: skip
        if completed.returncode != 0:
            sys.exit(completed.stderr[-3000:])
        splink = json.loads(completed.stdout.strip().splitlines()[-1])
        truth = root_path / "truth" / "identity_truth.csv"
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            records = connection.execute(
                "select count(*) from intermediate.int_identity_source_records"
            ).fetchone()[0]
            ours = score(
                connection,
                "select source_record_id, customer_id as cluster_id "
                "from intermediate.int_source_records_resolved",
                truth,
            )
            alone = score(connection, f"select * from read_parquet('{clusters}')", truth)
    print(
        f"\n{records:,} identity source records ({arguments.people:,} people) on "
        f"{platform.node()} ({os.cpu_count()} cores):"
    )
    print(
        f"  ours (dbt: staging + deterministic + Splink + components + id map): "
        f"{ours_seconds:6.1f} s, peak {ours_peak_mb:,.0f} MB, precision {ours[0]:.4f}, "
        f"recall {ours[1]:.4f}"
    )
    print(
        f"  Splink alone (rules + model, clustered at 0.99):                  "
        f"{splink['seconds']:6.1f} s, peak {splink['peak_rss_mb']:,.0f} MB, "
        f"precision {alone[0]:.4f}, recall {alone[1]:.4f}"
    )


if __name__ == "__main__":
    main()
