"""Identity resolution at scale, ours next to Splink alone, on the same generated records.

    python benchmarks/bench_identity.py --people 195000 --repeat 3

1. Generates demo data once (about five identity-bearing source records per person) into
   --data-dir, kept between runs like bench_run.py's.
2. Ours: `dbt build` of everything identity resolution needs (staging of the identity sources,
   normalization, exclusions, deterministic edges, the Splink model, connected components, the
   identity map) on a new, empty warehouse, timed, with the peak memory of the dbt process tree
   (sampled from /proc) and the Splink model's own time from dbt's run_results.json.
3. Splink alone: the same source records (from step 2's int_identity_source_records) deduplicated
   by Splink only (exact-match rules plus its probabilistic model, clustered at 0.99), timed in its
   own process with its peak memory.
4. Both scored against the ground truth (pairwise precision and recall). With --repeat, steps 2
   to 4 run that many times and the medians are printed after every run's figures.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))

from bench_run import PeakMemorySampler, generate_once  # noqa: E402

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


def run_measured(command: list[str], environment: dict[str, str] | None = None):
    """Run a command; its completed process, wall seconds and peak RSS of its tree in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    sampler = PeakMemorySampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    peak_mb = sampler.stop() / 1e6
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return completed, seconds, peak_mb


def splink_model_seconds(target_path: Path) -> float:
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return sum(
        result["execution_time"]
        for result in results
        if result["unique_id"].endswith(".int_identity_probabilistic_matches")
    )


def run_once(data_dir: Path, root_path: Path) -> dict[str, float]:
    import duckdb

    warehouse = root_path / "warehouse" / "working.duckdb"
    warehouse.parent.mkdir()
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(data_dir / "raw"),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(root_path / "duckdb_tmp"),
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    command = [
        dbt, "build", "--select", "+int_source_records_resolved", "--exclude-resource-type",
        "test", "--exclude-resource-type", "unit_test", "--target-path",
        str(root_path / "target"), "--log-path", str(root_path / "logs"),
    ]  # fmt: skip
    completed, ours_seconds, ours_peak_mb = run_measured(command, environment)
    if completed.returncode != 0:
        sys.exit(completed.stdout[-3000:])
    clusters = root_path / "splink_alone.parquet"
    completed, alone_wall_seconds, alone_peak_mb = run_measured(
        [sys.executable, "-c", SPLINK_ALONE, str(warehouse), str(clusters)]
    )
    if completed.returncode != 0:
        sys.exit(completed.stderr[-3000:])
    splink = json.loads(completed.stdout.strip().splitlines()[-1])
    truth = data_dir / "truth" / "identity_truth.csv"
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
    return {
        "records": records,
        "ours_seconds": ours_seconds,
        "ours_splink_model_seconds": splink_model_seconds(root_path / "target"),
        "ours_peak_mb": ours_peak_mb,
        "ours_precision": ours[0],
        "ours_recall": ours[1],
        "alone_seconds": splink["seconds"],
        "alone_wall_seconds": alone_wall_seconds,
        "alone_peak_mb": alone_peak_mb,
        "alone_precision": alone[0],
        "alone_recall": alone[1],
    }


def print_sample(label: str, sample: dict[str, float]) -> None:
    print(
        f"{label}: {sample['records']:,.0f} identity source records\n"
        f"  ours (dbt: staging + deterministic + Splink + components + id map): "
        f"{sample['ours_seconds']:6.1f} s "
        f"(Splink model {sample['ours_splink_model_seconds']:.1f} s), "
        f"peak {sample['ours_peak_mb']:,.0f} MB, precision {sample['ours_precision']:.4f}, "
        f"recall {sample['ours_recall']:.4f}\n"
        f"  Splink alone (rules + model, clustered at 0.99):                  "
        f"{sample['alone_seconds']:6.1f} s, peak {sample['alone_peak_mb']:,.0f} MB, "
        f"precision {sample['alone_precision']:.4f}, recall {sample['alone_recall']:.4f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=195_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_ROOT / "data" / "bench",
        help="where generated data is kept between runs (shared with bench_run.py)",
    )
    arguments = parser.parse_args()
    data_dir = (arguments.data_dir / f"people-{arguments.people}-seed-{arguments.seed}").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    generate_seconds = generate_once(arguments.people, arguments.seed, data_dir)
    if generate_seconds is not None:
        print(f"generated {arguments.people:,} people in {generate_seconds:.0f} s", flush=True)
    print(f"{platform.node()}, {os.cpu_count()} cores", flush=True)
    samples = []
    for repetition in range(arguments.repeat):
        with tempfile.TemporaryDirectory(prefix="cw-bench-identity-", dir=data_dir) as root:
            samples.append(run_once(data_dir, Path(root)))
        print_sample(f"run {repetition + 1}/{arguments.repeat}", samples[-1])
    if arguments.repeat > 1:
        median = {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}
        print_sample(f"median of {arguments.repeat} runs", median)


if __name__ == "__main__":
    main()
