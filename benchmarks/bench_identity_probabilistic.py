"""The Splink step of identity resolution alone, on the named records of an existing warehouse.

    python benchmarks/bench_identity_probabilistic.py --warehouse /path/to/working.duckdb

Reads intermediate.int_identity_match_candidates from a warehouse that a build (or
bench_run.py) left behind and runs exactly what the dbt Python model
int_identity_probabilistic_matches runs (train, then predict with its blocking rules), without
the 35 minutes of a full pipeline at a million people. Prints the wall time, the peak resident
memory of this process, the number of compared pairs per blocking rule and the pairs scored at
or above the threshold.
"""

import argparse
import importlib.util
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = (
    PROJECT_ROOT / "models" / "intermediate" / "identity" / "int_identity_probabilistic_matches.py"
)


def load_model_module():
    spec = importlib.util.spec_from_file_location("int_identity_probabilistic_matches", MODEL_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.99)
    arguments = parser.parse_args()
    module = load_model_module()
    with duckdb.connect(str(arguments.warehouse), read_only=True) as connection:
        candidates = connection.execute(
            "select * from intermediate.int_identity_match_candidates"
        ).df()
    print(f"{len(candidates):,} named records", flush=True)
    print("pairs per blocking rule (each alone, before removing overlaps):", flush=True)
    for columns in module.PREDICTION_BLOCKING_COLUMNS:
        names = ", ".join(columns)
        present = " and ".join(f"{column} is not null" for column in columns)
        pair_count = duckdb.sql(
            f"select coalesce(sum(n * (n - 1) // 2), 0), coalesce(max(n), 0) from "
            f"(select count(*) as n from candidates where {present} group by {names})"
        ).fetchall()[0]
        print(f"  {names}: {pair_count[0]:,} pairs, largest block {pair_count[1]:,}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cw-bench-splink-") as directory:
        os.environ.setdefault("CW_DUCKDB_TEMP_DIR", directory)
        started = time.perf_counter()
        _, pairs = module._train_and_predict(candidates, arguments.threshold, seed=7)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Splink train + predict: {seconds:.1f} s, peak RSS {peak_mb:,.0f} MB "
        f"(memory limit {os.environ.get('CW_DUCKDB_MEMORY_LIMIT', '6GB')}), "
        f"{len(pairs):,} pairs at or above {arguments.threshold}",
        flush=True,
    )


if __name__ == "__main__":
    main()
