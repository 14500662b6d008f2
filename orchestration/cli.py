"""`cw`: generate demo data and run the warehouse job from the command line."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="customer-warehouse: demo data, and the gated Dagster job that builds and publishes it.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _set_path_env(name: str, value: Path | None) -> None:
    if value is not None:
        os.environ[name] = str(value.expanduser().resolve())


@app.command()
def generate(
    people: Annotated[int, typer.Option(min=1, help="Number of true people to simulate.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
    raw_dir: Annotated[Path | None, typer.Option(help="Landing directory [CW_RAW_DIR].")] = None,
    truth_dir: Annotated[
        Path | None, typer.Option(help="Where the identity ground truth goes [CW_TRUTH_DIR].")
    ] = None,
) -> None:
    """Write deterministic demo raw files for PEOPLE people, and their identity ground truth."""
    from orchestration.generate import generate as generate_demo_data
    from orchestration.settings import Settings

    _set_path_env("CW_RAW_DIR", raw_dir)
    _set_path_env("CW_TRUTH_DIR", truth_dir)
    settings = Settings.from_env()
    # The warehouse folders too: plain `dbt build` right after this needs them to exist.
    settings.prepare_directories()
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Generating people", total=people)
        summary = generate_demo_data(
            raw_dir=settings.raw_dir,
            truth_dir=settings.truth_dir,
            people=people,
            seed=seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    table = Table(title=f"Demo data: {people:,} people, seed {seed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in sorted(summary.rows_per_table.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        f"Raw files in [bold]{settings.raw_dir}[/], ground truth in [bold]{settings.truth_dir}[/] "
        f"({time.perf_counter() - started:.1f} s)."
    )


@app.command()
def run(
    raw_dir: Annotated[Path | None, typer.Option(help="Landing directory [CW_RAW_DIR].")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="As-of date YYYY-MM-DD [CW_AS_OF_DATE]; default: the data's latest date."
        ),
    ] = None,
    report_json: Annotated[
        Path | None,
        typer.Option(help="Also write the run's outcome and step times to this JSON file."),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help=(
                "Rebuild the incremental staging models from every landing file [CW_FULL_REFRESH] "
                "(after landing files were removed or rewritten, or to go back to an earlier "
                "as-of date); audience history is kept."
            ),
        ),
    ] = False,
) -> None:
    """Run the whole Dagster job in-process: ingest gate, dbt build, GX gate, publish, exports.

    Runs are incremental: staging types only the landing files it has not seen and re-stages the
    records they touch (docs/incremental-processing.md).
    """
    from orchestration.runner import run_job

    _set_path_env("CW_RAW_DIR", raw_dir)
    if full_refresh:
        os.environ["CW_FULL_REFRESH"] = "1"
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            console.print(f"[red]--as-of {as_of!r} is not a date in YYYY-MM-DD form.[/]")
            raise typer.Exit(2) from None
        os.environ["CW_AS_OF_DATE"] = as_of
    succeeded = run_job(console, report_json)
    raise typer.Exit(0 if succeeded else 1)


@app.command()
def evaluate(
    warehouse: Annotated[
        Path | None,
        typer.Option(help="DuckDB file to score [default: the published warehouse]."),
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(help="Ground truth CSV [CW_TRUTH_DIR/identity_truth.csv].")
    ] = None,
) -> None:
    """Score identity resolution against the demo ground truth: pairwise precision, recall, F1."""
    from orchestration.evaluation import evaluate_identity
    from orchestration.settings import Settings

    settings = Settings.from_env()
    warehouse = warehouse or settings.published_path
    truth = truth or settings.truth_dir / "identity_truth.csv"
    for path, what in ((warehouse, "warehouse"), (truth, "ground truth")):
        if not path.exists():
            console.print(f"No {what} at {path}: run `make run` first.", style="red")
            raise typer.Exit(2)
    evaluation = evaluate_identity(warehouse, truth)
    table = Table(title=f"Identity resolution vs ground truth ({warehouse.name})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in evaluation.as_metadata().items():
        table.add_row(
            name.replace("_", " "), f"{value:,.4f}" if isinstance(value, float) else f"{value:,}"
        )
    console.print(table)


@app.command()
def explain(
    customer_id: Annotated[str, typer.Argument(help="A customer_id, e.g. cus_0123456789abcdef.")],
    warehouse: Annotated[
        Path | None,
        typer.Option(help="DuckDB file to read [default: the published warehouse]."),
    ] = None,
) -> None:
    """Show which source records make up a customer, and the link that joined each one."""
    from orchestration.settings import Settings
    from orchestration.warehouse import connect_warehouse

    warehouse = warehouse or Settings.from_env().published_path
    if not warehouse.exists():
        console.print(f"No warehouse at {warehouse}: run `make run` first.", style="red")
        raise typer.Exit(2)
    with connect_warehouse(warehouse) as connection:
        records = connection.execute(
            "select source_record_id, link_rule from marts.customer_source_records "
            "where customer_id = ? order by source_table, record_key",
            [customer_id],
        ).fetchall()
        links = connection.execute(
            "select source_record_id, linked_source_record_id, link_rule, identifier_type, "
            "identifier_value from marts.customer_record_links where customer_id = ? "
            "order by linked_source_record_id, source_record_id",
            [customer_id],
        ).fetchall()
    if not records:
        console.print(f"No customer {customer_id} in {warehouse}.", style="red")
        raise typer.Exit(1)
    table = Table(title=f"{customer_id}: {len(records)} source records")
    for column in ("source record", "linked to", "rule", "shared identifier"):
        table.add_column(column, overflow="fold")
    linked = set()
    for record, anchor, rule, identifier_type, value in links:
        linked.update((record, anchor))
        table.add_row(record, anchor, rule, f"{identifier_type} {value or '(erased)'}")
    for record, rule in records:
        if record not in linked:
            table.add_row(record, "", rule, "")
    console.print(table)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
