"""Readers for the CBS StatLine tables kept in ``data/external/cbs/`` (CC BY 4.0, "Bron: CBS").

Every reader returns a tidy long frame with one row per period x key x measure:
``period`` (first day of the period), ``period_code`` (as CBS prints it), ``frequency``
(``"quarter"``, ``"year"`` or ``"month"``), the table's keys with their labels, ``measure``,
``value`` (Float64) and ``unit``.

Conventions shared by all tables:

* Keys and values are stripped of the spaces CBS pads them with (``"422400 "``, ``"    89.8"``).
* ``"."`` (CBS: figure unknown) and an empty field become null.
* Period codes: ``YYYYKWnn`` is a quarter, ``YYYYJJ00`` a year, ``YYYYMMnn`` a month. A
  series-break code ``YYYYXnnn`` is not a calendar period, so it cannot sit on a time axis:
  such rows are dropped. Any other code raises :class:`OpenDataError`.
* Vacancy and population tables are published in thousands. By default the figures stay as
  published and ``unit`` says so (``"x1000 vacancies"``); ``thousands=False`` multiplies them
  out (``unit`` then reads ``"vacancies"``).

``None`` as path means the copy under ``data/external/`` of this repository, or under
``$WORKFORCE_EXTERNAL`` when that is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl
from polars.exceptions import PolarsError

EXTERNAL_ENV = "WORKFORCE_EXTERNAL"
_REPOSITORY_EXTERNAL = Path(__file__).resolve().parents[2] / "data" / "external"

VACANCIES_BY_SECTOR = Path("cbs/80472ned/vacatures.csv")
REGIONAL_VACANCIES = Path("cbs/vacatures_regio/vacatures_regio.csv")
SICK_LEAVE = Path("cbs/80072ned/sick_leave_data.csv")
WORKING_POPULATION = Path("cbs/82807ned/cbs.82807NED_Observations.parquet")

_SECTOR_LABELS_80472 = Path("cbs/80472ned/sectoren_metadata.csv")
_SECTOR_CODES_82807 = Path("cbs/82807ned/cbs.82807NED_BedrijfstakkenBranchesSBI2008Codes.parquet")

_VACANCY_MEASURES = {
    "OpenstaandeVacatures_1": "open_vacancies",
    "OntstaneVacatures_2": "new_vacancies",
    "VervuldeVacatures_3": "filled_vacancies",
}
_WORKING_POPULATION_MEASURES = {"3000795_1": "working_population"}

_QUARTER = re.compile(r"^(\d{4})KW0([1-4])$")
_YEAR = re.compile(r"^(\d{4})JJ00$")
_MONTH = re.compile(r"^(\d{4})MM(0[1-9]|1[0-2])$")
_SERIES_BREAK = re.compile(r"^\d{4}X\d{3}$")

_SERIES_COLUMNS = [
    "period",
    "period_code",
    "frequency",
    "sector_key",
    "sector_label",
    "measure",
    "value",
    "unit",
]
"""Columns of a sector series (vacancies, sick leave); regional vacancies add the region."""

_PERIOD_SCHEMA = {"period_code": pl.String, "period": pl.Date, "frequency": pl.String}


class OpenDataError(ValueError):
    """An open-data file or service that cannot be read as the table it should be."""

    def __init__(self, source: Path | str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class OpenDataNotFoundError(OpenDataError):
    """The file or folder of an open-data table does not exist."""


class UnexpectedTableError(OpenDataError):
    """A file that is not the table the reader expects (its columns differ)."""


def tidy(frame: pl.DataFrame, path: Path, table: str) -> pl.DataFrame:
    """``frame`` after checking it against the open-data contract ``table``."""
    from workforce.contracts import ContractError, check_frame

    try:
        check_frame(frame, f"open data {table}", source=path)
    except ContractError as error:
        raise UnexpectedTableError(path, str(error).removeprefix(f"{path}: ")) from None
    return frame


def external_dir() -> Path:
    """Folder of the open-data copies: ``$WORKFORCE_EXTERNAL``, else the repository's own."""
    return Path(os.environ.get(EXTERNAL_ENV, _REPOSITORY_EXTERNAL))


def parse_period(code: str) -> tuple[date, str] | None:
    """First day and frequency of a CBS period code; ``None`` for a series-break code.

    Raises ``ValueError`` for a code that follows none of the CBS patterns.
    """
    code = code.strip()
    if match := _QUARTER.match(code):
        return date(int(match[1]), 3 * int(match[2]) - 2, 1), "quarter"
    if match := _YEAR.match(code):
        return date(int(match[1]), 1, 1), "year"
    if match := _MONTH.match(code):
        return date(int(match[1]), int(match[2]), 1), "month"
    if _SERIES_BREAK.match(code):
        return None
    raise ValueError(f"unknown CBS period code {code!r}")


def read_vacancies_by_sector(path: Path | None = None, *, thousands: bool = True) -> pl.DataFrame:
    """CBS 80472ned: open, new and filled vacancies per SBI 2008 sector, quarterly and yearly.

    ``thousands=True`` (default) keeps the figures as published (x 1000); ``False`` multiplies
    them by 1000. ``sector_label`` comes from ``sectoren_metadata.csv`` next to the file.
    """
    path = _resolve(path, VACANCIES_BY_SECTOR)
    raw = _read_cbs_csv(path, ["Bedrijfskenmerken", "Perioden", *_VACANCY_MEASURES])
    frame = (
        _strip_all(raw)
        .rename({"Bedrijfskenmerken": "sector_key", "Perioden": "period_code"})
        .unpivot(
            index=["sector_key", "period_code"],
            on=list(_VACANCY_MEASURES),
            variable_name="measure",
            value_name="value",
        )
        .with_columns(pl.col("measure").replace_strict(_VACANCY_MEASURES))
    )
    frame = _with_values(frame, path, scale=_scale(thousands), unit=_unit("vacancies", thousands))
    frame = _with_periods(frame, path).with_columns(_sector_label(path))
    return tidy(
        frame.select(_SERIES_COLUMNS).sort("sector_key", "measure", "period"),
        path,
        "vacancies_by_sector",
    )


def read_regional_vacancies(path: Path | None = None, *, thousands: bool = True) -> pl.DataFrame:
    """CBS open vacancies per sector x region (NL01, LDnn, PVnn; PV26 = Utrecht), quarterly.

    Region labels come from ``regios_metadata.csv`` next to the file; sector labels from the
    80472ned and 82807NED code lists (the same CBS SBI 2008 keys). ``thousands`` as in
    :func:`read_vacancies_by_sector`.
    """
    path = _resolve(path, REGIONAL_VACANCIES)
    raw = _read_cbs_csv(
        path, ["BedrijfstakkenBranchesSBI2008", "Regios", "Perioden", "OpenstaandeVacatures"]
    )
    frame = (
        _strip_all(raw)
        .rename(
            {
                "BedrijfstakkenBranchesSBI2008": "sector_key",
                "Regios": "region_key",
                "Perioden": "period_code",
                "OpenstaandeVacatures": "value",
            }
        )
        .with_columns(measure=pl.lit("open_vacancies"))
    )
    frame = _with_values(frame, path, scale=_scale(thousands), unit=_unit("vacancies", thousands))
    region_labels = _label_map(path.parent / "regios_metadata.csv", key="Key", label="Title")
    frame = _with_periods(frame, path).with_columns(
        _sector_label(path),
        region_label=pl.col("region_key").replace_strict(
            region_labels, default=None, return_dtype=pl.String
        ),
    )
    columns = [*_SERIES_COLUMNS[:3], "region_key", "region_label", *_SERIES_COLUMNS[3:]]
    return tidy(
        frame.select(columns).sort("region_key", "sector_key", "period"), path, "regional_vacancies"
    )


def read_sick_leave(path: Path | None = None) -> pl.DataFrame:
    """CBS 80072ned: sick-leave percentage per SBI 2008 sector, quarterly and yearly."""
    path = _resolve(path, SICK_LEAVE)
    raw = _read_cbs_csv(path, ["BedrijfskenmerkenSBI2008", "Perioden", "Ziekteverzuimpercentage_1"])
    frame = (
        _strip_all(raw)
        .rename(
            {
                "BedrijfskenmerkenSBI2008": "sector_key",
                "Perioden": "period_code",
                "Ziekteverzuimpercentage_1": "value",
            }
        )
        .with_columns(measure=pl.lit("sick_leave_pct"))
    )
    frame = _with_values(frame, path, scale=1.0, unit="percent")
    frame = _with_periods(frame, path).with_columns(_sector_label(path))
    return tidy(frame.select(_SERIES_COLUMNS).sort("sector_key", "period"), path, "sick_leave")


def read_working_population(path: Path | None = None, *, thousands: bool = True) -> pl.DataFrame:
    """CBS 82807NED: working population per sector x person characteristic x sex, quarterly.

    ``path`` is the ``..._Observations.parquet`` file of the OData v4 export (or its folder);
    the code tables (``..._BedrijfstakkenBranchesSBI2008Codes.parquet`` and so on) are read
    from beside it. ``thousands`` as in :func:`read_vacancies_by_sector`.
    """
    path = _resolve(path, WORKING_POPULATION)
    if path.is_dir():
        path = path / WORKING_POPULATION.name
    observations = _read_parquet(
        path,
        [
            "Measure",
            "Value",
            "Perioden",
            "BedrijfstakkenBranchesSBI2008",
            "Persoonskenmerken",
            "Geslacht",
        ],
    )
    if not observations.schema["Value"].is_numeric():
        raise UnexpectedTableError(
            path, f"column Value holds {observations.schema['Value']}; expected numbers"
        )
    unknown = sorted(set(observations["Measure"].unique()) - set(_WORKING_POPULATION_MEASURES))
    if unknown:
        raise UnexpectedTableError(
            path, f"unknown measure(s) {unknown}; expected {list(_WORKING_POPULATION_MEASURES)}"
        )
    frame = _strip_all(
        observations.select(
            measure=pl.col("Measure").replace_strict(_WORKING_POPULATION_MEASURES),
            value=pl.col("Value").cast(pl.Float64) * _scale(thousands),
            unit=pl.lit(_unit("persons", thousands)),
            period_code=pl.col("Perioden"),
            sector_key=pl.col("BedrijfstakkenBranchesSBI2008"),
            person_characteristic_key=pl.col("Persoonskenmerken"),
            sex_key=pl.col("Geslacht"),
        )
    )
    for key, table in [
        ("sector_key", "BedrijfstakkenBranchesSBI2008"),
        ("person_characteristic_key", "Persoonskenmerken"),
        ("sex_key", "Geslacht"),
    ]:
        labels = _code_table_labels(path, table)
        frame = frame.with_columns(
            pl.col(key)
            .replace_strict(labels, default=None, return_dtype=pl.String)
            .alias(key.removesuffix("_key") + "_label")
        )
    columns = [
        "period",
        "period_code",
        "frequency",
        "sector_key",
        "sector_label",
        "person_characteristic_key",
        "person_characteristic_label",
        "sex_key",
        "sex_label",
        "measure",
        "value",
        "unit",
    ]
    return tidy(
        _with_periods(frame, path)
        .select(columns)
        .sort("sector_key", "person_characteristic_key", "sex_key", "period"),
        path,
        "working_population",
    )


def _resolve(path: Path | None, default: Path) -> Path:
    resolved = path if path is not None else external_dir() / default
    if not resolved.exists():
        raise OpenDataNotFoundError(resolved, "not found")
    return resolved


def _scale(thousands: bool) -> float:
    return 1.0 if thousands else 1000.0


def _unit(counted: str, thousands: bool) -> str:
    return f"x1000 {counted}" if thousands else counted


def _read_cbs_csv(path: Path, expected: Sequence[str]) -> pl.DataFrame:
    """A CBS CSV export with every column as text; the separator is sniffed from the header."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise OpenDataError(path, f"cannot be read as UTF-8 text: {exc}") from None
    separator = ";" if header.count(";") > header.count(",") else ","
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False, raise_if_empty=False)
    except PolarsError as exc:
        raise OpenDataError(path, f"cannot be read as CSV: {_first_line(exc)}") from None
    frame = frame.rename({name: name.strip() for name in frame.columns})
    _check_columns(path, frame.columns, expected)
    return frame.select(expected)


def _read_parquet(path: Path, expected: Sequence[str]) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except (PolarsError, OSError) as exc:
        raise OpenDataError(path, f"cannot be read as Parquet: {_first_line(exc)}") from None
    _check_columns(path, frame.columns, expected)
    return frame.select(expected)


def _check_columns(path: Path, found: Iterable[str], expected: Sequence[str]) -> None:
    found = list(found)
    missing = [name for name in expected if name not in found]
    if missing:
        raise UnexpectedTableError(
            path,
            f"not the expected table: columns {', '.join(missing)} are missing "
            f"(expected {', '.join(expected)}; found {', '.join(found) or 'none'})",
        )


def _strip_all(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip the padding spaces from every text column; empty text becomes null."""
    text = pl.col(pl.String).str.strip_chars()
    return frame.with_columns(pl.when(text != "").then(text))


def _with_values(frame: pl.DataFrame, path: Path, *, scale: float, unit: str) -> pl.DataFrame:
    """Turn the ``value`` text into Float64: ``"."`` and empty become null, other text fails."""
    text = pl.col("value")
    number = pl.when(text != ".").then(text).cast(pl.Float64, strict=False)
    checked = frame.with_columns(number.alias("_number"))
    bad = checked.filter(pl.col("_number").is_null() & text.is_not_null() & (text != "."))
    if not bad.is_empty():
        examples = ", ".join(repr(value) for value in bad["value"].unique().head(5).to_list())
        raise OpenDataError(path, f"{bad.height} value(s) are not numbers: {examples}")
    value = pl.col("_number") * scale if scale != 1.0 else pl.col("_number")
    return checked.with_columns(value=value.round(6), unit=pl.lit(unit)).drop("_number")


def _with_periods(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Add ``period`` and ``frequency`` from ``period_code``; series-break rows are dropped."""
    rows: list[tuple[str, date, str]] = []
    unknown: list[str] = []
    for code in frame["period_code"].drop_nulls().unique().sort().to_list():
        try:
            parsed = parse_period(code)
        except ValueError:
            unknown.append(code)
            continue
        if parsed is not None:
            rows.append((code, *parsed))
    if unknown or frame["period_code"].null_count():
        shown = ", ".join(unknown[:5]) or "(empty)"
        raise OpenDataError(
            path, f"unknown period code(s) {shown}; expected YYYYKWnn, YYYYJJ00 or YYYYMMnn"
        )
    periods = pl.DataFrame(rows, schema=_PERIOD_SCHEMA, orient="row")
    return frame.join(periods, on="period_code", how="inner")


def _sector_label(path: Path) -> pl.Expr:
    """``sector_label``: the table's own label file if it has one, else the shared SBI labels."""
    labels = dict(_shared_sector_labels(external_dir().resolve()))
    labels.update(_label_map(path.parent / "sectoren_metadata.csv", key="Key", label="Title"))
    return (
        pl.col("sector_key")
        .replace_strict(labels, default=None, return_dtype=pl.String)
        .alias("sector_label")
    )


@cache
def _shared_sector_labels(directory: Path) -> tuple[tuple[str, str], ...]:
    """CBS SBI 2008 key -> label from the 80472ned and 82807NED code lists (those present)."""
    labels: dict[str, str] = {}
    codes = directory / _SECTOR_CODES_82807
    if codes.is_file():
        frame = pl.read_parquet(codes, columns=["Identifier", "Title"])
        labels.update(zip(frame["Identifier"].str.strip_chars(), frame["Title"], strict=True))
    labels.update(_label_map(directory / _SECTOR_LABELS_80472, key="Key", label="Title"))
    return tuple(labels.items())


def _label_map(path: Path, *, key: str, label: str) -> dict[str, str]:
    """Key -> label from a small CBS code-list CSV; empty when the file is absent."""
    if not path.is_file():
        return {}
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.rename({name: name.strip() for name in frame.columns})
    _check_columns(path, frame.columns, [key, label])
    frame = _strip_all(frame.select(key, label)).drop_nulls(key)
    return dict(zip(frame[key], frame[label], strict=True))


def _code_table_labels(observations: Path, dimension: str) -> dict[str, str]:
    """Identifier -> title from the OData v4 code table of ``dimension`` beside ``observations``."""
    stem = observations.name.removesuffix("Observations.parquet")
    path = observations.with_name(f"{stem}{dimension}Codes.parquet")
    if not path.is_file():
        raise OpenDataNotFoundError(path, f"code table of {dimension} not found")
    frame = _strip_all(_read_parquet(path, ["Identifier", "Title"]))
    return dict(zip(frame["Identifier"], frame["Title"], strict=True))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
