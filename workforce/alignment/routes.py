"""Training after the initial diploma: professions reached only through further training.

A GP (huisarts) needs the medicine master and then three years of GP training; a medical
specialist four to six years of specialty training; a health care psychologist (GZ) two years
after the psychology master. For these professions the initial programme does not decide how
many people arrive: the training places do. ``data/reference/training_routes.csv`` lists each
route with the profession it leads to, the diploma it starts from, its duration, completion
and the national yearly places (with sources).

The region's own current places are measured, not assumed: the yearly new entrants into the
profession that the projection expects at today's intake, divided by the route's completion.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.reference import ReferenceError, reference_dir

ROUTES_FILE = "training_routes.csv"


def load_routes(directory: Path | None = None) -> pl.DataFrame:
    """The post-initial training routes: ``route_code``, ``profession_code``, ``name_nl``,
    ``name_en``, ``prior_programme_code``, ``duration_years``, ``completion``,
    ``national_places``, ``places_year``, ``source``."""
    path = (directory or reference_dir()) / ROUTES_FILE
    if not path.is_file():
        raise ReferenceError(f"reference table {path} is missing")
    frame = pl.read_csv(path, infer_schema=False)
    try:
        return frame.with_columns(
            pl.col("duration_years").cast(pl.Int64),
            pl.col("completion").cast(pl.Float64),
            pl.col("national_places").cast(pl.Int64),
            pl.col("places_year").cast(pl.Int64),
        )
    except pl.exceptions.InvalidOperationError:
        raise ReferenceError(
            f"{path}: duration_years, national_places and places_year must be whole numbers "
            "and completion a number"
        ) from None


def post_initial_professions(routes: pl.DataFrame) -> list[str]:
    """Professions whose advice targets training places, not initial intake."""
    return routes["profession_code"].unique().sort().to_list()
