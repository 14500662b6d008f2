"""Time `make run`'s two steps (generate, then the whole Dagster job) on fresh directories.

    python benchmarks/bench_run.py --people 10000 --repeat 3

Each repetition uses new, empty warehouse, export and Dagster directories, so every run does the
full work. Prints the median and every sample, with the machine it ran on.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    cw = str(Path(sys.executable).parent / "cw")
    samples: dict[str, list[float]] = {"generate": [], "run": [], "total": []}
    for repetition in range(arguments.repeat):
        with tempfile.TemporaryDirectory(prefix="cw-bench-") as root:
            environment = {
                **os.environ,
                "CW_RAW_DIR": f"{root}/raw",
                "CW_TRUTH_DIR": f"{root}/truth",
                "CW_WAREHOUSE_PATH": f"{root}/warehouse/working.duckdb",
                "CW_PUBLISHED_PATH": f"{root}/warehouse/published.duckdb",
                "CW_EXPORTS_DIR": f"{root}/exports",
                "CW_DUCKDB_TEMP_DIR": f"{root}/warehouse/tmp",
                "DAGSTER_HOME": f"{root}/dagster_home",
            }
            generate = _timed(
                [cw, "generate", "--people", str(arguments.people), "--seed", str(arguments.seed)],
                environment,
            )
            run = _timed([cw, "run"], environment)
            samples["generate"].append(generate)
            samples["run"].append(run)
            samples["total"].append(generate + run)
            print(f"run {repetition + 1}: generate {generate:.1f} s, job {run:.1f} s", flush=True)
    print(
        f"\n{arguments.people:,} people, {arguments.repeat} runs on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}):"
    )
    for name, values in samples.items():
        formatted = ", ".join(f"{value:.1f}" for value in values)
        print(f"  {name:9s} median {statistics.median(values):6.1f} s   ({formatted})")


if __name__ == "__main__":
    main()
