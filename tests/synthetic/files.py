"""Reading generated raw files back, for the generator's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from workforce.synthetic import RegionParams

SMALL_REGION = RegionParams().with_size(900)

_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "staff": {
        "employer_id": pl.String(), "person_key": pl.String(), "profession_code": pl.String(),
        "sector_code": pl.String(), "municipality_code": pl.String(), "start_date": pl.Date(),
        "end_date": pl.Date(), "contract_hours_week": pl.Float64(), "birth_year": pl.Int64(),
        "leave_reason": pl.String(), "residence_municipality_code": pl.String(),
    },
    "vacancies": {
        "employer_id": pl.String(), "vacancy_id": pl.String(), "profession_code": pl.String(),
        "municipality_code": pl.String(), "hours_week": pl.Float64(), "opened_on": pl.Date(),
        "closed_on": pl.Date(), "outcome": pl.String(),
    },
    "education": {
        "institution_code": pl.String(), "programme_code": pl.String(), "level": pl.String(),
        "route": pl.String(), "municipality_code": pl.String(), "cohort_year": pl.Int64(),
        "intake": pl.Int64(), "enrolled": pl.Int64(), "graduates": pl.Int64(),
        "dropouts": pl.Int64(),
    },
    "population": {
        "municipality_code": pl.String(), "year": pl.Int64(), "sex": pl.String(),
        "age_from": pl.Int64(), "age_to": pl.Int64(), "kind": pl.String(), "vintage": pl.Int64(),
        "persons": pl.Float64(), "persons_lo": pl.Float64(), "persons_hi": pl.Float64(),
    },
}  # fmt: skip


def read_source(out: Path, source: str) -> pl.DataFrame:
    """All generated files of one source, CSV and Parquet alike, as one frame."""
    schema = _SCHEMAS[source]
    frames = []
    for path in sorted((out / source).rglob("*")):
        if path.suffix == ".csv":
            frame = pl.read_csv(path, schema_overrides=schema)
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path, hive_partitioning=False)
        else:
            continue
        # an optional column (the residence) may be left out, as an older extract does
        frames.append(frame.cast({n: t for n, t in schema.items() if n in frame.columns}))
    return pl.concat(frames, how="diagonal")


def read_manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
