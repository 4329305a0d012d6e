"""Options and choices shared by the commands: one data folder option, enums for every choice."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workforce.store import data_dir_from_env

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Data folder (staging, quarantine, marts, forecasts, ...); "
        "default $WORKFORCE_DATA or data.",
        default_factory=data_dir_from_env,
        show_default=False,
    ),
]
"""The ``--data-dir`` option of every command that reads or writes a data folder."""

ModelsDir = Annotated[
    Path, typer.Option("--models-dir", help="Registry folder of forecast runs (decision log).")
]
Paths = Annotated[int, typer.Option(min=20, help="Simulated paths for intervals.")]
Seed = Annotated[int, typer.Option(help="Random seed; the same for baseline and scenarios.")]
HorizonYear = Annotated[
    int | None,
    typer.Option(help="Year at which to report (default: five years after the origin)."),
]

Regions = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        help="Labour-market region to act in and report (AM13 Midden-Utrecht, AM14 Amersfoort, "
        "AM12 Gooi en Vechtstreek); repeat for several; default every region of the forecast.",
        show_default=False,
    ),
]
"""The ``--region`` option of the commands that can be scoped to some of the regions."""


def region_codes(regions: list[str] | None) -> list[str] | None:
    """``--region`` values as upper-case codes; also accepts comma-separated codes."""
    if not regions:
        return None
    return [code.strip().upper() for value in regions for code in value.split(",") if code.strip()]


class Scale(StrEnum):
    """Size of a generated labour market."""

    region = "region"
    national = "national"


class Executor(StrEnum):
    """Where the per-series fits run."""

    local = "local"
    dask = "dask"


class Target(StrEnum):
    """What the intake advice aims at."""

    median = "median"
    probability = "probability"
