"""Population by age, sex and municipality from a CBS StatLine table fetched with ``fetch-cbs``.

Reads the OData v3 layout :func:`workforce.ingest.statline.fetch_table` writes
(``<ID>_TypedDataSet.parquet``, ``<ID>_DataProperties.parquet``, ``<ID>_TableInfos.parquet``
and one table per dimension) for tables with the dimensions ``Geslacht``, ``Leeftijd``,
``RegioS`` and ``Perioden``: the regional population projection (the 84525NED / 84527NED
family, persons x 1000, 84527NED with the bounds of its interval) and population history by
age. The result has the columns of the raw population contract
(:class:`workforce.schemas.PopulationCount`), ready for ``workforce ingest``.

- Keys are stripped of CBS's padding (``"3000   "``, ``"GM0344"``); ``"."`` and empty values
  become null (``ingest`` then quarantines such a row, naming the column).
- Sex: ``3000`` male, ``4000`` female; the total is left out (it is the sum).
- Age bands come from the titles of the ``Leeftijd`` codes (``"75 tot 80 jaar"``,
  ``"85 jaar of ouder"``, ``"40 jaar"``); the total and any band that holds another listed band
  are left out, so no person is counted twice.
- Regions: municipalities (``GMxxxx``) only; provinces and the country are sums.
- Measures by their title in ``DataProperties``: ``Ondergrens`` and ``Bovengrens`` are the
  interval bounds, the other population measure the central value; a unit ``x 1 000`` is
  multiplied out.
- ``kind`` is ``projection`` when the table title speaks of a ``prognose``, else ``history``;
  the vintage of a projection is the first year of its periods (or ``vintage``), of a count its
  own year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.ingest.cbs import OpenDataError

DIMENSIONS = ("Geslacht", "Leeftijd", "RegioS", "Perioden")
SEX_CODES = {"3000": "male", "4000": "female"}
_BAND = re.compile(r"^(\d+) tot (\d+) jaar$")
_OPEN = re.compile(r"^(\d+) jaar of ouder$")
_SINGLE = re.compile(r"^(\d+) jaar$")
_YEAR = re.compile(r"^(\d{4})JJ00$")
CONTRACT_COLUMNS = (
    "municipality_code",
    "year",
    "sex",
    "age_from",
    "age_to",
    "kind",
    "vintage",
    "persons",
    "persons_lo",
    "persons_hi",
)


@dataclass(frozen=True)
class PopulationTable:
    """Contract rows read from a StatLine table, and what was left out on purpose."""

    table_id: str
    rows: pl.DataFrame
    left_out: dict[str, int]


def is_population_table(folder: Path) -> bool:
    """Whether a fetched table has the dimensions of a population table."""
    properties = _find(folder, "DataProperties")
    if properties is None:
        return False
    keys = set(pl.read_parquet(properties)["Key"].cast(pl.String).str.strip_chars())
    return set(DIMENSIONS) <= keys


def age_band(title: str) -> tuple[int, int | None] | None:
    """``(age_from, age_to)`` of a ``Leeftijd`` title; ``None`` for a total or another title."""
    text = " ".join(title.split()).lower()
    if match := _BAND.match(text):
        return int(match.group(1)), int(match.group(2)) - 1
    if match := _OPEN.match(text):
        return int(match.group(1)), None
    if match := _SINGLE.match(text):
        return int(match.group(1)), int(match.group(1))
    return None


def read_population_table(folder: Path, *, vintage: int | None = None) -> PopulationTable:
    """The population rows of a table fetched into ``folder``; see the module docstring."""
    observations = _require(folder, "TypedDataSet")
    table_id = observations.name.split("_")[0]
    properties = pl.read_parquet(_require(folder, "DataProperties")).with_columns(
        pl.col("Key").cast(pl.String).str.strip_chars(),
        pl.col("Title").cast(pl.String).str.strip_chars(),
    )
    missing = [d for d in DIMENSIONS if d not in properties["Key"].to_list()]
    if missing:
        raise OpenDataError(folder, f"not a population table: no dimension {', '.join(missing)}")
    measures = _measures(folder, properties)
    frame = pl.read_parquet(observations)
    absent = [c for c in (*DIMENSIONS, *measures.values()) if c not in frame.columns]
    if absent:
        raise OpenDataError(observations, f"lacks column(s) {', '.join(absent)}")
    frame = frame.with_columns(pl.col(d).cast(pl.String).str.strip_chars() for d in DIMENSIONS)
    frame = _totals_of_other_dimensions(frame, properties, observations)
    bands = _bands(folder)
    scale = _scale(properties, measures["persons"])
    left_out = {
        "total or unknown sex": frame.filter(~pl.col("Geslacht").is_in(list(SEX_CODES))).height,
        "not a municipality": frame.filter(~pl.col("RegioS").str.starts_with("GM")).height,
        "total or overlapping age band": frame.filter(
            ~pl.col("Leeftijd").is_in(list(bands))
        ).height,
    }
    kept = frame.filter(
        pl.col("Geslacht").is_in(list(SEX_CODES))
        & pl.col("RegioS").str.starts_with("GM")
        & pl.col("Leeftijd").is_in(list(bands))
    )
    bad_periods = kept.filter(~pl.col("Perioden").str.contains(_YEAR.pattern))
    if bad_periods.height:
        example = bad_periods["Perioden"][0]
        raise OpenDataError(observations, f"period {example!r} is not a year (YYYYJJ00)")
    year = pl.col("Perioden").str.slice(0, 4).cast(pl.Int64)
    projection = _is_projection(folder)
    if projection:
        first = int(kept.select(year.min()).item()) if kept.height else 0
        vintage_expr = pl.lit(vintage if vintage is not None else first, dtype=pl.Int64)
    else:
        vintage_expr = year
    rows = kept.select(
        municipality_code=pl.col("RegioS"),
        year=year,
        sex=pl.col("Geslacht").replace_strict(SEX_CODES),
        age_from=pl.col("Leeftijd").replace_strict({k: v[0] for k, v in bands.items()}),
        age_to=pl.col("Leeftijd").replace_strict(
            {k: v[1] for k, v in bands.items()}, return_dtype=pl.Int64
        ),
        kind=pl.lit("projection" if projection else "history"),
        vintage=vintage_expr,
        persons=_value(measures["persons"]) * scale,
        persons_lo=_value(measures["persons_lo"]) * scale
        if "persons_lo" in measures
        else pl.lit(None, pl.Float64),
        persons_hi=_value(measures["persons_hi"]) * scale
        if "persons_hi" in measures
        else pl.lit(None, pl.Float64),
    )
    return PopulationTable(table_id, rows.select(CONTRACT_COLUMNS), left_out)


def _totals_of_other_dimensions(
    frame: pl.DataFrame, properties: pl.DataFrame, source: Path
) -> pl.DataFrame:
    """Rows at the total (``T00...`` key) of any further dimension, such as marital status."""
    others = properties.filter(
        pl.col("Type").cast(pl.String).str.contains("Dimension") & ~pl.col("Key").is_in(DIMENSIONS)
    )["Key"].to_list()
    for name in others:
        keys = frame[name].cast(pl.String).str.strip_chars()
        total = keys.str.starts_with("T00")
        if not total.any():
            raise OpenDataError(source, f"dimension {name} has no total (a key T00...) to keep")
        frame = frame.filter(total)
    return frame


def _value(column: str) -> pl.Expr:
    """A measure as Float64: numbers stay, text is stripped, ``"."`` and empty become null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.is_in([".", ""])).then(None).otherwise(text).cast(pl.Float64)


def _find(folder: Path, entity: str) -> Path | None:
    matches = sorted(folder.glob(f"*_{entity}.parquet"))
    return matches[0] if matches else None


def _require(folder: Path, entity: str) -> Path:
    path = _find(folder, entity)
    if path is None:
        raise OpenDataError(folder, f"no *_{entity}.parquet; fetch the table with `fetch-cbs`")
    return path


def _measures(folder: Path, properties: pl.DataFrame) -> dict[str, str]:
    topics = properties.filter(pl.col("Type") == "Topic")
    measures: dict[str, str] = {}
    for key, title in topics.select("Key", "Title").iter_rows():
        lowered = title.lower()
        if "ondergrens" in lowered:
            measures.setdefault("persons_lo", key)
        elif "bovengrens" in lowered:
            measures.setdefault("persons_hi", key)
        elif "bevolking" in lowered or "prognose" in lowered:
            measures.setdefault("persons", key)
    if "persons" not in measures:
        raise OpenDataError(folder, "no population measure (a topic titled 'Bevolking ...')")
    return measures


def _scale(properties: pl.DataFrame, measure: str) -> float:
    if "Unit" not in properties.columns:
        return 1.0
    unit = properties.filter(pl.col("Key") == measure)["Unit"].cast(pl.String)[0] or ""
    return 1000.0 if "1 000" in unit or "1000" in unit else 1.0


def _bands(folder: Path) -> dict[str, tuple[int, int | None]]:
    """``Leeftijd`` key -> band, without totals and without bands that hold another band."""
    codes = pl.read_parquet(_require(folder, "Leeftijd"))
    parsed = {
        str(key).strip(): band
        for key, title in codes.select("Key", "Title").iter_rows()
        if (band := age_band(str(title))) is not None
    }

    def holds(outer: tuple[int, int | None], inner: tuple[int, int | None]) -> bool:
        top_outer = 10_000 if outer[1] is None else outer[1]
        top_inner = 10_000 if inner[1] is None else inner[1]
        return outer != inner and outer[0] <= inner[0] and top_inner <= top_outer

    return {
        key: band
        for key, band in parsed.items()
        if not any(holds(band, other) for other in parsed.values())
    }


def _is_projection(folder: Path) -> bool:
    infos = _find(folder, "TableInfos")
    if infos is None:
        return False
    frame = pl.read_parquet(infos)
    text = " ".join(
        str(frame[column][0]) for column in ("Title", "ShortTitle") if column in frame.columns
    )
    return "prognose" in text.lower()
