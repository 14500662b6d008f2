"""Time a daily incremental run against a full run of the whole job, at several sizes.

    python benchmarks/bench_incremental.py --people 10000 100000 --repeat 3

Demo data for each size is generated once into --data-dir (shared with bench_run.py). Each
repetition copies the landing files to a new folder and then, on new, empty warehouse, export
and Dagster directories:

1. the full run: `cw run --as-of 2026-06-30` builds everything from the landing files;
2. writes a day's drop of about --share (1%) new and changed records on top
   (orchestration/daily_batch.py: new records, a tenth of them three days late, new versions of
   orders and accounts);
3. the incremental run: `cw run --as-of 2026-07-01` on the same warehouse.

Per run it records the job's wall time, each stage's time and dbt's time per layer (as
bench_run.py does). Prints the medians and the incremental run as a share of the full run, and
writes every sample to benchmarks/results/ as JSON.

The full run reads 1% fewer rows than the incremental run's landing files hold; the two runs of
a repetition follow each other on the same machine, so load from other processes hits both.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_run import (  # noqa: E402
    BIN,
    PROJECT_ROOT,
    RESULTS_DIR,
    dbt_layer_seconds,
    dbt_run_results,
    describe_machine,
    generate_once,
    published_file_gb,
    slowest_nodes,
    stage_seconds,
    timed_cw_run,
)

from orchestration.daily_batch import write_daily_batch  # noqa: E402
from orchestration.settings import dbt_target_path_from_env  # noqa: E402

FULL_RUN_DAY = date(2026, 6, 30)  # the demo data's as-of date
DAILY_DAY = date(2026, 7, 1)


def _environment(root: Path, raw_dir: Path, truth_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "CW_RAW_DIR": str(raw_dir),
        "CW_TRUTH_DIR": str(truth_dir),
        "CW_WAREHOUSE_PATH": str(root / "warehouse" / "working.duckdb"),
        "CW_PUBLISHED_PATH": str(root / "warehouse" / "published.duckdb"),
        "CW_EXPORTS_DIR": str(root / "exports"),
        "CW_DUCKDB_TEMP_DIR": str(root / "warehouse" / "tmp"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def timed_run(environment: dict[str, str], as_of: date, report_path: Path) -> dict[str, object]:
    seconds, peak_bytes, report = timed_cw_run(
        ["--as-of", as_of.isoformat()], environment, report_path
    )
    dbt_results = dbt_run_results(report["run_id"], dbt_target_path_from_env(environment))
    return {
        "run_seconds": round(seconds, 2),
        "step_seconds": stage_seconds(report["step_seconds"]),
        "dbt_layer_seconds": dbt_layer_seconds(*dbt_results) if dbt_results else {},
        "slowest_dbt_nodes": slowest_nodes(dbt_results[0]) if dbt_results else {},
        "peak_rss_gb": round(peak_bytes / 1e9, 2),
        **published_file_gb(Path(environment["CW_PUBLISHED_PATH"])),
    }


def repetition(data_dir: Path, share: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-incremental-", dir=data_dir) as directory:
        root = Path(directory)
        raw_dir = root / "raw"
        shutil.copytree(data_dir / "raw", raw_dir)
        environment = _environment(root, raw_dir, data_dir / "truth")
        full = timed_run(environment, FULL_RUN_DAY, root / "full.json")
        batch = write_daily_batch(raw_dir, DAILY_DAY, share=share)
        incremental = timed_run(environment, DAILY_DAY, root / "incremental.json")
    return {
        "full": full,
        "incremental": incremental,
        "daily_rows": batch,
        "ratio": round(incremental["run_seconds"] / full["run_seconds"], 3),
    }


def _median(samples: list[dict[str, object]], run: str, *path: str) -> float:
    values = []
    for sample in samples:
        value: object = sample[run]
        for key in path:
            value = value.get(key, 0.0)  # type: ignore[union-attr]
        values.append(float(value))  # type: ignore[arg-type]
    return round(statistics.median(values), 2)


def summarize(samples: list[dict[str, object]]) -> dict[str, object]:
    summary: dict[str, object] = {}
    for run in ("full", "incremental"):
        steps = sorted({step for sample in samples for step in sample[run]["step_seconds"]})
        layers = sorted({layer for sample in samples for layer in sample[run]["dbt_layer_seconds"]})
        summary[run] = {
            "run_seconds": _median(samples, run, "run_seconds"),
            "step_seconds": {s: _median(samples, run, "step_seconds", s) for s in steps},
            "dbt_layer_seconds": {
                layer: _median(samples, run, "dbt_layer_seconds", layer) for layer in layers
            },
        }
    summary["ratio_of_medians"] = round(
        summary["incremental"]["run_seconds"] / summary["full"]["run_seconds"], 3
    )
    summary["ratios"] = [sample["ratio"] for sample in samples]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.01, help="new and changed rows (0.01)")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data" / "bench")
    arguments = parser.parse_args()
    machine = describe_machine()
    results = []
    for people in arguments.people:
        data_dir = (arguments.data_dir / f"people-{people}-seed-{arguments.seed}").resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        generate_once(people, arguments.seed, data_dir)
        samples = []
        for index in range(arguments.repeat):
            sample = repetition(data_dir, arguments.share)
            samples.append(sample)
            print(
                f"{people:,} people, repetition {index + 1}/{arguments.repeat}: full "
                f"{sample['full']['run_seconds']:.1f} s, incremental "
                f"{sample['incremental']['run_seconds']:.1f} s ({sample['ratio']:.0%}), "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        results.append({"people": people, "median": summarize(samples), "samples": samples})
    print_table(results, machine, arguments.repeat)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"bench_incremental-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"\nResults: {path}")


def print_table(results: list[dict[str, object]], machine: dict[str, object], repeat: int) -> None:
    print(
        f"\nMedian of {repeat} repetition(s) on {machine['host']} ({machine['cores']} cores, "
        f"{machine['memory_gb']} GB):"
    )
    print(
        "people | full run s | incremental run s | incremental / full | dbt staging s (full, incr)"
    )
    for result in results:
        median = result["median"]
        full, incremental = median["full"], median["incremental"]
        print(
            f"{result['people']:,} | {full['run_seconds']:.1f} | {incremental['run_seconds']:.1f} "
            f"| {median['ratio_of_medians']:.0%} | "
            f"{full['dbt_layer_seconds'].get('staging', 0):.0f}, "
            f"{incremental['dbt_layer_seconds'].get('staging', 0):.0f}"
        )
        for run in ("full", "incremental"):
            layers = ", ".join(f"{k} {v:.0f}" for k, v in median[run]["dbt_layer_seconds"].items())
            steps = ", ".join(f"{k} {v:.0f}" for k, v in median[run]["step_seconds"].items())
            print(f"    {run}: steps {steps}; dbt {layers}")


if __name__ == "__main__":
    main()
