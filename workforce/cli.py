"""The ``workforce`` command: one verb per pipeline stage."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

app = typer.Typer(
    help="Labour-market analytics and forecasting for care and welfare in the Utrecht region.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()


class Scale(StrEnum):
    region = "region"
    national = "national"


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the raw files to.")] = Path("data/raw"),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives identical files.")
    ] = 42,
    scale: Annotated[
        Scale, typer.Option(help="region: Midden-Utrecht; national: benchmark load.")
    ] = Scale.region,
) -> None:
    """Write a synthetic care labour market in the raw contract formats."""
    from workforce.synthetic import generate_national, generate_region

    started = time.perf_counter()
    try:
        if scale is Scale.region:
            summary = generate_region(out, seed=seed)
        else:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Generating blocks", total=None)
                summary = generate_national(
                    out,
                    seed=seed,
                    on_block=lambda done, total: progress.update(task, completed=done, total=total),
                )
    except OSError as error:
        console.print(f"[red]Cannot write to {out}: {error.strerror or error}[/red]")
        raise typer.Exit(2) from None
    seconds = time.perf_counter() - started
    console.print(summary.describe())
    console.print(f"Written to {out} in {seconds:.1f} s.")


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Raw files or folders to check.")],
) -> None:
    """Check raw files against their contract; exit 1 when any row fails."""
    from workforce.validate import validate_paths

    exit_code = validate_paths(paths, console=console)
    raise typer.Exit(exit_code)


def _register_command_groups() -> None:
    from workforce.forecast.cli import register as register_forecast
    from workforce.ingest.cli import register as register_open_data

    register_forecast(app)
    register_open_data(app)


_register_command_groups()

if __name__ == "__main__":
    app()
