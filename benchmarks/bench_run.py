"""Time `make run`'s work per stage at several sizes, with peak memory, and save the results.

    python benchmarks/bench_run.py --people 10000 100000 --repeat 3
    python benchmarks/bench_run.py --people 1000000 --repeat 1 --data-dir /big/disk/bench-data

Demo data for each size is generated once (timed) into --data-dir and reused by the repetitions;
every repetition then runs the whole Dagster job (`cw run`) on new, empty warehouse, export and
Dagster directories, so each does the full work. Per repetition it records:

- the job's wall time and each Dagster step's time (ingest gate, dbt build, publish, exports);
- dbt's own time per layer (staging, intermediate, marts, audiences) from run_results.json;
- peak RSS of the whole process tree (`cw run` and its dbt subprocess, summed, sampled from
  /proc every 0.2 s), and the largest single process's peak as the kernel reports it;
- one plain scan of all raw data (DuckDB reading every landing file once): the floor for any
  pipeline that reads its input, and the job's cost as a multiple of it.

Prints a table of medians and writes every sample to benchmarks/results/ as JSON and CSV.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import dbt_target_path_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
DBT_LAYERS = ("staging", "intermediate", "marts", "audiences")
# Kept per run in the results JSON (not the printed table).
SLOWEST_NODE_COUNT = 15
BIN = Path(sys.executable).parent


def _process_tree_rss_bytes(root_pid: int) -> int:
    """Summed resident memory of root_pid and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending.extend(children.get(pid, []))
    return total


class PeakMemorySampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_bytes = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_bytes = max(self.peak_bytes, _process_tree_rss_bytes(self.pid))
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_bytes


def _environment(root: Path, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "CW_RAW_DIR": str(data_dir / "raw"),
        "CW_TRUTH_DIR": str(data_dir / "truth"),
        "CW_WAREHOUSE_PATH": str(root / "warehouse" / "working.duckdb"),
        "CW_PUBLISHED_PATH": str(root / "warehouse" / "published.duckdb"),
        "CW_EXPORTS_DIR": str(root / "exports"),
        "CW_DUCKDB_TEMP_DIR": str(root / "warehouse" / "tmp"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def generate_once(people: int, seed: int, data_dir: Path) -> float | None:
    """Generate the demo data unless this directory already holds it; seconds, or None if kept."""
    marker = data_dir / "generated.json"
    if marker.exists() and json.loads(marker.read_text()) == {"people": people, "seed": seed}:
        return None
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "cw"), "generate", "--people", str(people), "--seed", str(seed)],
        cwd=PROJECT_ROOT,
        env=_environment(data_dir, data_dir),
        check=True,
        capture_output=True,
    )
    marker.write_text(json.dumps({"people": people, "seed": seed}))
    return time.perf_counter() - started


def raw_scan(raw_dir: Path) -> tuple[float, int, int]:
    """Seconds to read every landing file once, total rows, and total bytes on disk."""
    files = [path for path in raw_dir.rglob("*") if path.suffix in (".csv", ".parquet")]
    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as connection:
        for path in files:
            reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
            options = "" if path.suffix == ".parquet" else ", all_varchar = true"
            rows += connection.execute(
                f"select count(*) from {reader}('{path}'{options})"
            ).fetchone()[0]
    return time.perf_counter() - started, rows, sum(path.stat().st_size for path in files)


def dbt_run_results(run_id: str, target_path: Path) -> tuple[list[dict], dict] | None:
    """The results and manifest of this Dagster run's dbt build, or None when not found
    (dagster-dbt names its target folder <op>-<first 7 characters of the run id>-<random>)."""
    candidates = list(target_path.glob(f"*-{run_id[:7]}-*/run_results.json"))
    if not candidates:
        return None
    run_results = max(candidates, key=lambda path: path.stat().st_mtime)
    manifest = json.loads((run_results.parent / "manifest.json").read_text())
    return json.loads(run_results.read_text())["results"], manifest


def dbt_layer_seconds(results: list[dict], manifest: dict) -> dict[str, float]:
    """dbt's execution time per layer (models by their folder) and for all tests together: the
    nodes' own times summed, so with two dbt threads a layer can take longer than the build."""
    seconds = dict.fromkeys(DBT_LAYERS, 0.0)
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        fqn = node.get("fqn", [])
        if node.get("resource_type") == "model" and len(fqn) > 2 and fqn[1] in seconds:
            seconds[fqn[1]] += result["execution_time"]
    seconds["tests"] = sum(
        result["execution_time"] for result in results if result["unique_id"].startswith("test.")
    )
    return {layer: round(value, 2) for layer, value in seconds.items()}


def slowest_nodes(results: list[dict], count: int = SLOWEST_NODE_COUNT) -> dict[str, float]:
    """The dbt nodes that took longest, by name, slowest first: where the next cut lies."""
    ranked = sorted(results, key=lambda result: -result["execution_time"])[:count]
    return {
        ".".join(result["unique_id"].split(".")[2:]): round(result["execution_time"], 2)
        for result in ranked
    }


def pipeline_stage(step_key: str) -> str:
    """The pipeline stage a Dagster step belongs to."""
    if step_key == "raw_landing_files":
        return "ingest_gate"
    if step_key == "customer_warehouse_dbt_assets":
        return "dbt_build"
    if step_key == "published_warehouse":
        return "publish"
    if step_key.startswith("exports__"):
        return "exports"
    return "publish_gate"  # Great Expectations suites and the identity evaluation check


def stage_seconds(step_seconds: dict[str, float]) -> dict[str, float]:
    stages: dict[str, float] = {}
    for step, seconds in step_seconds.items():
        stage = pipeline_stage(step)
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 2)
    return stages


def describe_machine() -> dict[str, object]:
    """Where and how the figures were measured: host, cores, memory, Python, the load at the start
    (other processes' load inflates every time measured here) and dbt's threads (profiles.yml)."""
    return {
        "host": platform.node(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "load_average_at_start": os.getloadavg(),
        "dbt_threads": int(os.environ.get("CW_DBT_THREADS", "2")),
    }


def timed_cw_run(
    arguments: list[str], environment: dict[str, str], report_path: Path
) -> tuple[float, int, dict]:
    """`cw run <arguments> --report-json report_path`: wall seconds, peak tree RSS, its report.

    Exits with cw's output when the run fails."""
    command = [str(BIN / "cw"), "run", *arguments, "--report-json", str(report_path)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = PeakMemorySampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    peak_bytes = sampler.stop()
    seconds = time.perf_counter() - started
    if process.returncode != 0 or not report_path.exists():
        sys.exit(f"{' '.join(command[1:])} failed:\n{output[-6000:]}")
    return seconds, peak_bytes, json.loads(report_path.read_text())


def published_file_gb(published_path: Path) -> dict[str, float]:
    """The published file's size on disk, and the live data in it (DuckDB's used blocks): the
    copy carries the free blocks of the file dbt built it in (docs/publishing.md)."""
    with duckdb.connect(str(published_path), read_only=True) as connection:
        block_size, used_blocks = connection.execute(
            "select block_size, used_blocks from pragma_database_size() "
            "where database_name = current_database()"
        ).fetchone()
    return {
        "published_file_gb": round(published_path.stat().st_size / 1e9, 2),
        "published_live_data_gb": round(block_size * used_blocks / 1e9, 2),
    }


def run_once(people: int, data_dir: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-", dir=data_dir) as directory:
        root = Path(directory)
        environment = _environment(root, data_dir)
        seconds, peak_bytes, report = timed_cw_run([], environment, root / "report.json")
        dbt_results = dbt_run_results(report["run_id"], dbt_target_path_from_env(environment))
        file_sizes = published_file_gb(root / "warehouse" / "published.duckdb")
    largest_process_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "people": people,
        "run_seconds": round(seconds, 2),
        "job_seconds": report["seconds"],
        "step_seconds": stage_seconds(report["step_seconds"]),
        "dbt_layer_seconds": dbt_layer_seconds(*dbt_results) if dbt_results else {},
        "slowest_dbt_nodes": slowest_nodes(dbt_results[0]) if dbt_results else {},
        "peak_rss_gb": round(peak_bytes / 1e9, 2),
        "largest_process_peak_rss_gb": round(largest_process_bytes / 1e9, 2),
        "checks_passed": report["checks_passed"],
        **file_sizes,
    }


def summarize(samples: list[dict[str, object]], scan_seconds: float) -> dict[str, object]:
    def median(key: str) -> float:
        return round(statistics.median(float(sample[key]) for sample in samples), 2)

    steps = sorted({step for sample in samples for step in sample["step_seconds"]})
    layers = sorted({layer for sample in samples for layer in sample["dbt_layer_seconds"]})
    return {
        "run_seconds": median("run_seconds"),
        "peak_rss_gb": median("peak_rss_gb"),
        "step_seconds": {
            step: round(statistics.median(s["step_seconds"].get(step, 0.0) for s in samples), 2)
            for step in steps
        },
        "dbt_layer_seconds": {
            layer: round(
                statistics.median(s["dbt_layer_seconds"].get(layer, 0.0) for s in samples), 2
            )
            for layer in layers
        },
        "cost_multiple_of_raw_scan": round(median("run_seconds") / scan_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=PROJECT_ROOT / "data" / "bench",
        help="where generated data is kept between repetitions and invocations",
    )
    arguments = parser.parse_args()
    machine = describe_machine()
    results = []
    for people in arguments.people:
        data_dir = (arguments.data_dir / f"people-{people}-seed-{arguments.seed}").resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        generate_seconds = generate_once(people, arguments.seed, data_dir)
        scan_seconds, raw_rows, raw_bytes = raw_scan(data_dir / "raw")
        samples = []
        for repetition in range(arguments.repeat):
            sample = run_once(people, data_dir)
            samples.append(sample)
            print(
                f"{people:,} people, run {repetition + 1}/{arguments.repeat}: "
                f"{sample['run_seconds']:.1f} s, peak {sample['peak_rss_gb']:.2f} GB",
                flush=True,
            )
        results.append(
            {
                "people": people,
                "raw_rows": raw_rows,
                "raw_megabytes": round(raw_bytes / 1e6, 1),
                "generate_seconds": generate_seconds and round(generate_seconds, 1),
                "raw_scan_seconds": round(scan_seconds, 2),
                "median": summarize(samples, scan_seconds),
                "samples": samples,
            }
        )
    print_table(results, machine, arguments.repeat)
    write_results(results, machine)


def print_table(results: list[dict[str, object]], machine: dict[str, object], repeat: int) -> None:
    print(
        f"\nMedian of {repeat} run(s) on {machine['host']} ({machine['cores']} cores, "
        f"{machine['memory_gb']} GB, Python {machine['python']}):"
    )
    header = ["people", "raw rows", "job s", "peak GB", "× raw scan", "dbt node s by layer"]
    print(" | ".join(header))
    for result in results:
        median = result["median"]
        layers = ", ".join(f"{k} {v:.0f}" for k, v in median["dbt_layer_seconds"].items())
        print(
            f"{result['people']:,} | {result['raw_rows']:,} | {median['run_seconds']:.1f} | "
            f"{median['peak_rss_gb']:.2f} | {median['cost_multiple_of_raw_scan']} | {layers}"
        )
        steps = ", ".join(f"{k} {v:.0f}" for k, v in median["step_seconds"].items())
        print(f"    steps: {steps}")


def write_results(results: list[dict[str, object]], machine: dict[str, object]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench_run-{stamp}"
    path.with_suffix(".json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=2) + "\n"
    )
    with path.with_suffix(".csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["people", "repetition", "run_seconds", "peak_rss_gb", "stage", "seconds"])
        for result in results:
            for index, sample in enumerate(result["samples"], start=1):
                stages = {
                    **sample["step_seconds"],
                    **{
                        f"dbt:{layer}": value
                        for layer, value in sample["dbt_layer_seconds"].items()
                    },
                }
                for stage, seconds in stages.items():
                    writer.writerow(
                        [
                            result["people"],
                            index,
                            sample["run_seconds"],
                            sample["peak_rss_gb"],
                            stage,
                            seconds,
                        ]
                    )
    print(f"\nResults: {path}.json and {path}.csv")


if __name__ == "__main__":
    main()
