"""Reader for DUO open data "ingeschrevenen hbo" kept in ``data/external/duo/`` ("Bron: DUO").

The file is a JSON array with one record per institution location x CROHO programme x mode x
sex, and one enrolment count per year under keys ``"2015"``, ``"2016"``, … The reader turns it
into one row per year; the CROHO code stays text so it joins ``data/reference/programme_codes.csv``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl

from workforce.ingest.cbs import (
    OpenDataError,
    OpenDataNotFoundError,
    UnexpectedTableError,
    external_dir,
    tidy,
)

HBO_ENROLMENTS = Path("duo/hbo_ingeschrevenen/inputdata.json")

_FIELDS = {
    # DUO key -> column
    "BRIN NUMMER ACTUEEL": "institution_code",
    "INSTELLINGSNAAM ACTUEEL": "institution_name",
    "GEMEENTENUMMER": "municipality_code",
    "GEMEENTENAAM": "municipality_name",
    "PROVINCIE": "province",
    "OPLEIDINGSCODE ACTUEEL": "programme_code",
    "OPLEIDINGSNAAM ACTUEEL": "programme_name",
    "TYPE HOGER ONDERWIJS": "degree",
    "CROHO ONDERDEEL": "croho_sector",
    "OPLEIDINGSVORM": "route",
    "GESLACHT": "sex",
}
_ROUTES = {
    "voltijd onderwijs": "voltijd",
    "deeltijd onderwijs": "deeltijd",
    "duaal onderwijs": "duaal",
}
_SEXES = {"man": "male", "vrouw": "female"}
_YEAR_KEY = re.compile(r"^\d{4}$")

HBO_ENROLMENT_COLUMNS = [
    "year",
    "institution_code",
    "institution_name",
    "municipality_code",
    "municipality_name",
    "province",
    "programme_code",
    "programme_name",
    "degree",
    "croho_sector",
    "route",
    "sex",
    "enrolled",
]


def read_hbo_enrolments(path: Path | None = None) -> pl.DataFrame:
    """Enrolled HBO students per year x institution x location x CROHO programme x mode x sex.

    Columns: ``year`` (Int64), ``institution_code`` (BRIN), ``institution_name``,
    ``municipality_code`` (CBS ``GMnnnn``), ``municipality_name``, ``province``,
    ``programme_code`` (CROHO, text), ``programme_name``, ``degree`` (bachelor, master,
    associate degree), ``croho_sector`` (CROHO onderdeel), ``route`` (voltijd, deeltijd, duaal),
    ``sex`` (male, female), ``enrolled`` (Int64; all years of study, not only first-years).
    """
    path = path if path is not None else external_dir() / HBO_ENROLMENTS
    records = _load_records(path)
    years = sorted({key for record in records for key in record if _YEAR_KEY.match(key)})
    if not years:
        raise UnexpectedTableError(path, 'no year keys (such as "2019") with enrolment counts')
    _check_fields(path, records, years)
    rows = {column: [_text(record[key]) for record in records] for key, column in _FIELDS.items()}
    counts = {year: [_count(path, record.get(year)) for record in records] for year in years}
    wide = pl.DataFrame(
        {**rows, **counts},
        schema={**dict.fromkeys(_FIELDS.values(), pl.String), **dict.fromkeys(years, pl.Int64)},
    )
    wide = wide.with_columns(
        pl.concat_str(pl.lit("GM"), pl.col("municipality_code").str.zfill(4)).alias(
            "municipality_code"
        ),
        _mapped(path, "route", _ROUTES, wide),
        _mapped(path, "sex", _SEXES, wide),
    )
    return tidy(
        wide.unpivot(
            index=list(_FIELDS.values()), on=years, variable_name="year", value_name="enrolled"
        )
        .with_columns(pl.col("year").cast(pl.Int64))
        .select(HBO_ENROLMENT_COLUMNS)
        .sort("institution_code", "programme_code", "municipality_code", "route", "sex", "year"),
        path,
        "hbo_enrolments",
    )


def _load_records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise OpenDataNotFoundError(path, "not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenDataError(path, f"cannot be read as JSON: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise UnexpectedTableError(
            path, "expected a JSON array of records (DUO ingeschrevenen hbo)"
        )
    if not data:
        raise UnexpectedTableError(path, "the array holds no records")
    return data


def _check_fields(path: Path, records: list[dict[str, Any]], years: list[str]) -> None:
    expected = [*_FIELDS, *years]
    for number, record in enumerate(records, start=1):
        missing = [key for key in expected if key not in record]
        if missing:
            raise UnexpectedTableError(
                path,
                f"record {number} lacks {', '.join(missing)}; expected the DUO keys "
                f"{', '.join(expected)}",
            )


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _count(path: Path, value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise OpenDataError(path, f"enrolment count {value!r} is not a whole number")


def _mapped(path: Path, column: str, mapping: dict[str, str], frame: pl.DataFrame) -> pl.Expr:
    unknown = sorted(set(frame[column].drop_nulls()) - set(mapping))
    if unknown:
        raise OpenDataError(path, f"unknown {column} value(s) {unknown}; expected {list(mapping)}")
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
