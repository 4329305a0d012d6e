"""The regional marts, computed from the loaded extracts.

(Over 500 lines because every mart is computed from one read of the inputs and one linked
spell table; split per mart, each would need that shared state passed in.)

Stocks come from events, never from expanding people into months: a spell adds +1 in the month
it starts and -1 in the month it ends, and the monthly stock is the cumulative sum of those
events over a month grid per cell (:mod:`workforce.marts.grid`). A person counts in a month's
headcount when the spell has started by the last day of the month and has not ended by it, so
that in every cell

    headcount(t) = headcount(t-1) + hires(t) - leavers(t).

Age bands follow the same idea: a person changes band in January of the year they reach the
band's lowest age, which is one more pair of events (-1 old band, +1 new band).

The staff spells are read once, linked once on compact keys
(:func:`workforce.marts.flows.link_spells`) and every staff mart reuses that;
``workforce_monthly`` and ``vacancies_monthly`` are computed one block of employers at a time
(no cell spans two employers), so their working memory grows with a block, not with the country.

Marts (``<data>/marts/*.parquet``):

- ``workforce_monthly``: month x employer x sector x municipality x profession: headcount, fte,
  hires by origin, leavers by destination (see :mod:`workforce.marts.flows`), headcount per age
  band;
- ``vacancies_monthly``: month x employer x profession x municipality: open, open_fte, opened,
  filled, withdrawn, hard_to_fill (open more than 90 days), mean_days_open,
  median_days_to_fill;
- ``mobility``: quarter x from employer x to employer x profession (with the labour-market
  region each side worked in): moves;
- ``education_pipeline``: cohort year x programme x institution: intake, enrolled, graduates,
  dropouts, completion rate and expected graduates with their expected graduation year;
- ``graduations``: cohort year x programme x institution x graduation year: the graduates a
  running cohort still expects, spread over the years they graduate in
  (:mod:`workforce.marts.graduation_years`);
- ``demand``: month x region x sector x profession: filled_fte + open_vacancy_fte = required_fte;
- ``spells``: one row per staff spell of a covered employer, linked across employers
  (:func:`workforce.marts.flows.link_spells`), with the region and the employer's covered months:
  the person-level input of the leaving model and the supply projection. ``person_key`` is the
  regional pseudonym; no other personal field than ``birth_year`` is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from workforce.marts.codes import Dictionary
from workforce.marts.flows import (
    HIRE_ORIGINS,
    LEAVER_DESTINATIONS,
    LinkedSpells,
    link_spells,
    moves,
)
from workforce.marts.graduation_years import expected_graduations
from workforce.marts.grid import CellKey, Ints, MonthGrid, blocks, month_dates, month_number
from workforce.reference import AGE_BANDS, Reference

FTE_HOURS = 36.0
"""Contract hours of one FTE: the standard Dutch care week."""

HARD_TO_FILL_DAYS = 90
"""A vacancy open longer than this is hard to fill (moeilijk vervulbaar)."""

FINISHED_COHORTS_FOR_RATE = 5
"""Completion rates are estimated from this many most recent finished cohorts."""

BLOCK_ROWS = 250_000
"""Staff spells or vacancies per block of employers in the monthly marts."""

STAFF_CELL = ["employer_id", "sector_code", "municipality_code", "profession_code"]
VACANCY_CELL = ["employer_id", "profession_code", "municipality_code"]
DEMAND_KEYS = ["month", "region_code", "sector_code", "profession_code"]
MART_NAMES = (
    "workforce_monthly",
    "vacancies_monthly",
    "mobility",
    "education_pipeline",
    "graduations",
    "demand",
    "spells",
)
SPELL_COLUMNS = (
    "person_key",
    "employer_id",
    "sector_code",
    "municipality_code",
    "region_code",
    "profession_code",
    "start_date",
    "end_date",
    "contract_hours_week",
    "birth_year",
    "hire_origin",
    "leaver_destination",
    "previous_employer_id",
    "next_employer_id",
    "next_sector_code",
    "next_profession_code",
    "next_start_date",
    "first_month",
    "last_month",
    "previous_region_code",
    "next_region_code",
)
VACANCY_COLUMNS = (
    "employer_id",
    "profession_code",
    "municipality_code",
    "hours_week",
    "opened_on",
    "closed_on",
    "outcome",
)
"""Columns of the vacancy contract the marts read."""


def band_column(label: str) -> str:
    """``headcount_25_34`` for band ``25-34``; ``headcount_65_plus`` for ``65+``."""
    return "headcount_" + label.replace("-", "_").replace("+", "_plus")


BAND_COLUMNS = tuple(band_column(label) for label, _, _ in AGE_BANDS)
_BOUNDARY_AGES = [low for _, low, _ in AGE_BANDS[1:]]
_BAND_HIGHEST_AGES = np.array([high for _, _, high in AGE_BANDS[:-1]], dtype=np.int64)
HIRE_COLUMNS = tuple(f"hires_{origin}" for origin in HIRE_ORIGINS)
LEAVER_COLUMNS = tuple(f"leavers_{destination}" for destination in LEAVER_DESTINATIONS)


@dataclass(frozen=True)
class MartInputs:
    """What the marts are computed from: effective rows per source and each party's coverage.

    ``staff_months`` and ``vacancy_months`` hold per employer the first and last month
    (``first_month``, ``last_month``) for which its extracts are complete;
    ``education_extract`` holds per institution the date of its latest extract.
    """

    staff: pl.LazyFrame
    vacancies: pl.LazyFrame
    education: pl.LazyFrame
    staff_months: pl.DataFrame
    vacancy_months: pl.DataFrame
    education_extract: pl.DataFrame
    reference: Reference


def mart_frames(inputs: MartInputs) -> Iterator[tuple[str, pl.DataFrame]]:
    """Every mart, one at a time, as ``(name, frame)``.

    The staff spells are read and linked once; each mart is yielded as soon as it is computed,
    so a caller that writes and drops it holds one mart at a time.
    """
    linked = link_spells(inputs.staff, inputs.reference)
    yield "spells", spells(linked, inputs.staff_months, inputs.reference)
    yield "mobility", mobility(linked, inputs.staff_months, inputs.reference)
    staff_monthly, filled = workforce_monthly(linked, inputs.staff_months, inputs.reference)
    sectors = employer_sectors(linked)
    del linked
    yield "workforce_monthly", staff_monthly
    del staff_monthly
    vacancy_monthly = vacancies_monthly(inputs.vacancies, inputs.vacancy_months)
    vacant = open_vacancy_fte(vacancy_monthly, sectors, inputs.reference)
    yield "vacancies_monthly", vacancy_monthly
    del vacancy_monthly
    yield "demand", demand(filled, vacant)
    pipeline = education_pipeline(
        inputs.education, inputs.education_extract, inputs.reference
    ).collect()
    yield "education_pipeline", pipeline
    yield (
        "graduations",
        expected_graduations(pipeline, inputs.education_extract, inputs.reference),
    )


def compute_marts(inputs: MartInputs) -> dict[str, pl.DataFrame]:
    """Every mart at once (for small inputs; a build writes each as it comes)."""
    return dict(mart_frames(inputs))


@dataclass(frozen=True)
class Coverage:
    """Per employer code: whether its extracts cover any month, and its first and last."""

    covered: npt.NDArray[np.bool_]
    first: Ints
    last: Ints

    @classmethod
    def of(cls, months: pl.DataFrame, employers: Dictionary) -> Coverage:
        """The coverage of ``months`` for the codes of ``employers``."""
        encoded = employers.encode(months["employer_id"])
        known = encoded.is_not_null().to_numpy()
        codes = encoded.drop_nulls().cast(pl.Int64).to_numpy()
        covered = np.zeros(len(employers), dtype=bool)
        first = np.zeros(len(employers), dtype=np.int64)
        last = np.full(len(employers), -1, dtype=np.int64)
        covered[codes] = True
        first[codes] = month_number(months["first_month"])[known]
        last[codes] = month_number(months["last_month"])[known]
        return cls(covered, first, last)


def _codes(frame: pl.DataFrame, column: str) -> Ints:
    """A code column without nulls as int64."""
    return frame[column].cast(pl.Int64).to_numpy()


def _decode_cells(
    codes: list[Ints], columns: list[str], dictionaries: dict[str, Dictionary]
) -> dict[str, pl.Series]:
    return {
        column: dictionaries[column].decode(pl.Series(column, values))
        for column, values in zip(columns, codes, strict=True)
    }


@dataclass(frozen=True)
class Regions:
    """The labour-market region of each municipality code (null when the reference lacks it)."""

    of_municipality: pl.Series
    """Region code (into ``dictionary``) per municipality code."""
    dictionary: Dictionary

    @classmethod
    def of(cls, municipalities: Dictionary, reference: Reference) -> Regions:
        """Regions of the municipalities of ``municipalities``, from the reference."""
        regions = (
            pl.DataFrame({"municipality_code": municipalities.values})
            .join(
                reference.municipalities.select("municipality_code", "region_code"),
                on="municipality_code",
                how="left",
                maintain_order="left",
            )
            .get_column("region_code")
        )
        dictionary = Dictionary.of(regions)
        return cls(dictionary.encode(regions), dictionary)

    def text(self, municipality_codes: pl.Series) -> pl.Series:
        """The region code (text) of each municipality code."""
        return self.dictionary.decode(self.of_municipality.gather(municipality_codes))


# -- spells ------------------------------------------------------------------------------------


def spells(linked: LinkedSpells, months: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Linked spells of employers with complete extracts, with region and covered months.

    ``first_month`` and ``last_month`` bound the months the employer's extracts cover: a spell
    is observed (for leaving and tenure) only within them.
    """
    coverage = Coverage.of(months, linked.dictionaries["employer_id"])
    frame = linked.frame.filter(pl.Series(coverage.covered[_codes(linked.frame, "employer_id")]))
    employer = frame["employer_id"]
    first_month = month_dates(coverage.first[_codes(frame, "employer_id")])
    last_month = month_dates(coverage.last[_codes(frame, "employer_id")])
    regions = Regions.of(linked.dictionaries["municipality_code"], reference)
    decode = linked.decode
    return pl.DataFrame(
        {
            "person_key": linked.person_keys.gather(frame["row"]),
            "employer_id": decode("employer_id", employer),
            "sector_code": decode("sector_code", frame["sector_code"]),
            "municipality_code": decode("municipality_code", frame["municipality_code"]),
            "region_code": regions.text(frame["municipality_code"]),
            "profession_code": decode("profession_code", frame["profession_code"]),
            "start_date": frame["start_date"],
            "end_date": frame["end_date"],
            "contract_hours_week": frame["contract_hours_week"],
            "birth_year": frame["birth_year"],
            "hire_origin": pl.Series(HIRE_ORIGINS).gather(frame["hire_origin"]),
            "leaver_destination": pl.Series(LEAVER_DESTINATIONS).gather(
                frame["leaver_destination"]
            ),
            "previous_employer_id": decode("employer_id", frame["previous_employer_id"]),
            "next_employer_id": decode("employer_id", frame["next_employer_id"]),
            "next_sector_code": decode("sector_code", frame["next_sector_code"]),
            "next_profession_code": decode("profession_code", frame["next_profession_code"]),
            "next_start_date": frame["next_start_date"],
            "first_month": first_month,
            "last_month": last_month,
            "previous_region_code": regions.text(frame["previous_municipality_code"]),
            "next_region_code": regions.text(frame["next_municipality_code"]),
        }
    )


# -- workforce_monthly -----------------------------------------------------------------------


def workforce_monthly(
    linked: LinkedSpells, months: pl.DataFrame, reference: Reference
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stock and flows per month and staff cell from linked spells, by blocks of employers.

    Returns the mart and, summed from the same cells, the staff side of :func:`demand`:
    ``filled_fte``, ``headcount`` and ``employers`` (with staff) per month, region, sector and
    profession.
    """
    dictionaries = linked.dictionaries
    coverage = Coverage.of(months, dictionaries["employer_id"])
    packing = CellKey(tuple(len(dictionaries[column]) for column in STAFF_CELL))
    regions = Regions.of(dictionaries["municipality_code"], reference)
    employers = _codes(linked.frame, "employer_id")
    parts = [
        _staff_block(linked.frame[block], coverage, packing, dictionaries, regions)
        for block in list(blocks(employers, BLOCK_ROWS)) or [slice(0, 0)]
    ]
    monthly = pl.concat([frame for frame, _ in parts], rechunk=False)
    # Blocks hold whole employers, so employers counted per block add up.
    filled = (
        pl.concat([part for _, part in parts])
        .group_by(DEMAND_KEYS)
        .agg(pl.sum("filled_fte"), pl.sum("headcount"), pl.sum("employers"))
    )
    return monthly, pl.DataFrame(
        {
            "month": month_dates(filled["month"].to_numpy()),
            "region_code": regions.dictionary.decode(filled["region_code"]),
            "sector_code": dictionaries["sector_code"].decode(filled["sector_code"]),
            "profession_code": dictionaries["profession_code"].decode(filled["profession_code"]),
            "filled_fte": filled["filled_fte"],
            "headcount": filled["headcount"],
            "employers": filled["employers"].cast(pl.UInt32),
        }
    )


def _band_of(age: Ints) -> Ints:
    """Band index of each age (ages below the first band count in it)."""
    return np.searchsorted(_BAND_HIGHEST_AGES, age, side="left").astype(np.int64)


def _staff_block(
    frame: pl.DataFrame,
    coverage: Coverage,
    packing: CellKey,
    dictionaries: dict[str, Dictionary],
    regions: Regions,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    employer = _codes(frame, "employer_id")
    first, last = coverage.first[employer], coverage.last[employer]
    start = month_number(frame["start_date"])
    end = month_number(frame["end_date"])
    ended = frame["end_date"].is_not_null().to_numpy()
    keep = coverage.covered[employer] & (start <= last) & (~ended | (end >= first))
    spells = frame.filter(pl.Series(keep))
    employer, first, last = employer[keep], first[keep], last[keep]
    start, end, ended = start[keep], end[keep], ended[keep]
    birth_year = spells["birth_year"].to_numpy()
    hours = spells["contract_hours_week"].to_numpy()
    key = packing.pack([employer, *(_codes(spells, column) for column in STAFF_CELL[1:])])
    grid, cell = MonthGrid.of(key, first, last)

    entry = np.maximum(start, first)
    at_start = grid.rows(cell, entry)
    leaving = ended & (end <= last)
    at_end = grid.rows(cell[leaving], end[leaving])
    headcount = grid.count(at_start) - grid.count(at_end)
    contract_hours = grid.total(at_start, hours) - grid.total(at_end, hours[leaving])

    origin = spells["hire_origin"].to_numpy()
    hired = start >= first
    hires = {
        column: grid.count(at_start[hired & (origin == index)])
        for index, column in enumerate(HIRE_COLUMNS)
    }
    destination = spells["leaver_destination"].to_numpy()[leaving]
    leavers = {
        column: grid.count(at_end[destination == index])
        for index, column in enumerate(LEAVER_COLUMNS)
    }

    bands = len(AGE_BANDS)
    band_events = [
        at_start * bands + _band_of(entry // 12 - birth_year),
        at_end * bands + _band_of(end[leaving] // 12 - birth_year[leaving]),
    ]
    band_signs = [np.ones(len(at_start)), -np.ones(len(at_end))]
    stays_until = np.minimum(np.where(ended, end, last), last)
    for boundary in _BOUNDARY_AGES:
        crossing = (birth_year + boundary) * 12
        crosses = (crossing > entry) & (crossing <= stays_until)
        rows = grid.rows(cell[crosses], crossing[crosses]) * bands
        band_events += [
            rows + _band_of(np.array([boundary]))[0],
            rows + _band_of(np.array([boundary - 1]))[0],
        ]
        band_signs += [np.ones(len(rows)), -np.ones(len(rows))]
    band_net = (
        np.bincount(
            np.concatenate(band_events),
            weights=np.concatenate(band_signs),
            minlength=grid.size * bands,
        )
        .reshape(grid.size, bands)
        .astype(np.int64)
    )

    headcount = grid.running(headcount)
    hires_total = sum(hires.values(), np.zeros(grid.size, dtype=np.int64))
    leavers_total = sum(leavers.values(), np.zeros(grid.size, dtype=np.int64))
    active = (headcount != 0) | (hires_total != 0) | (leavers_total != 0)
    band_stock = grid.running(band_net)[active]
    codes = packing.unpack(grid.keys[grid.cell_of_row()[active]])
    months = grid.month_of_row()[active]
    fte = pl.Series("fte", grid.running(contract_hours)[active] / FTE_HOURS).round(4)
    filled = (
        pl.DataFrame(
            {
                "month": months,
                "region_code": regions.of_municipality.gather(pl.Series(codes[2])),
                "sector_code": codes[1],
                "profession_code": codes[3],
                "employer_id": codes[0],
                "fte": fte,
                "headcount": headcount[active],
            }
        )
        .group_by(DEMAND_KEYS)
        .agg(
            filled_fte=pl.sum("fte"),
            headcount=pl.sum("headcount"),
            employers=pl.col("employer_id").filter(pl.col("headcount") > 0).n_unique(),
        )
    )
    monthly = pl.DataFrame(
        {
            "month": month_dates(months),
            **_decode_cells(codes, STAFF_CELL, dictionaries),
            "headcount": headcount[active],
            "fte": fte,
            "hires": hires_total[active],
            **{column: values[active] for column, values in hires.items()},
            "leavers": leavers_total[active],
            **{column: values[active] for column, values in leavers.items()},
            **{column: band_stock[:, index] for index, column in enumerate(BAND_COLUMNS)},
        },
        schema_overrides={"month": pl.Date},
    )
    return monthly, filled


# -- vacancies_monthly -----------------------------------------------------------------------


def vacancies_monthly(vacancies: pl.LazyFrame, months: pl.DataFrame) -> pl.DataFrame:
    """Open stock and flows of vacancies per month, employer, profession and municipality."""
    items = vacancies.select(VACANCY_COLUMNS).collect()
    dictionaries = {
        "employer_id": Dictionary.of(items["employer_id"], months["employer_id"]),
        "profession_code": Dictionary.of(items["profession_code"]),
        "municipality_code": Dictionary.of(items["municipality_code"]),
    }
    coverage = Coverage.of(months, dictionaries["employer_id"])
    coded = items.with_columns(
        **{column: dictionaries[column].encode(items[column]) for column in VACANCY_CELL}
    ).sort("employer_id", maintain_order=True)
    del items
    packing = CellKey(tuple(len(dictionaries[column]) for column in VACANCY_CELL))
    employers = _codes(coded, "employer_id")
    parts = [
        _vacancy_block(coded[block], coverage, packing, dictionaries)
        for block in blocks(employers, BLOCK_ROWS)
    ]
    if not parts:
        return _vacancy_block(coded, coverage, packing, dictionaries)
    return pl.concat(parts, rechunk=False)


def _vacancy_block(
    frame: pl.DataFrame,
    coverage: Coverage,
    packing: CellKey,
    dictionaries: dict[str, Dictionary],
) -> pl.DataFrame:
    employer = _codes(frame, "employer_id")
    first, last = coverage.first[employer], coverage.last[employer]
    opens = month_number(frame["opened_on"])
    closes = month_number(frame["closed_on"])
    closed = frame["closed_on"].is_not_null().to_numpy()
    keep = coverage.covered[employer] & (opens <= last) & (~closed | (closes >= first))
    items = frame.filter(pl.Series(keep))
    employer, first, last = employer[keep], first[keep], last[keep]
    opens, closes, closed = opens[keep], closes[keep], closed[keep]
    key = packing.pack([employer, *(_codes(items, column) for column in VACANCY_CELL[1:])])
    grid, cell = MonthGrid.of(key, first, last)

    opened_day = items["opened_on"].cast(pl.Int64).to_numpy()
    closed_day = items["closed_on"].cast(pl.Int64).fill_null(0).to_numpy()
    hours = items["hours_week"].to_numpy()
    outcome = items["outcome"]
    filled = (outcome == "filled").fill_null(False).to_numpy()
    withdrawn = (outcome == "withdrawn").fill_null(False).to_numpy()
    hard_from = items["opened_on"] + dt.timedelta(days=HARD_TO_FILL_DAYS + 1)
    hard = ~closed | (closed_day >= hard_from.cast(pl.Int64).to_numpy())
    hard_month = np.maximum(month_number(hard_from), first)

    at_open = grid.rows(cell, np.maximum(opens, first))
    closing = closed & (closes <= last)
    at_close = grid.rows(cell[closing], closes[closing])
    open_count = grid.count(at_open) - grid.count(at_close)
    open_hours = grid.total(at_open, hours) - grid.total(at_close, hours[closing])
    opened = grid.count(at_open[opens >= first])
    filled_count = grid.count(at_close[filled[closing]])
    withdrawn_count = grid.count(at_close[withdrawn[closing]])
    day_sum = np.bincount(at_open, weights=opened_day, minlength=grid.size) - np.bincount(
        at_close, weights=opened_day[closing], minlength=grid.size
    )
    becoming_hard = hard & (hard_month <= last)
    hard_count = grid.count(grid.rows(cell[becoming_hard], hard_month[becoming_hard]))
    hard_count -= grid.count(at_close[hard[closing]])

    was_filled = filled & closing
    fill_rows = grid.rows(cell[was_filled], closes[was_filled])
    median_days = grid.median(fill_rows, (closed_day - opened_day)[was_filled])

    open_count = grid.running(open_count)
    active = (open_count != 0) | (opened != 0) | (filled_count != 0) | (withdrawn_count != 0)
    cells = grid.cell_of_row()[active]
    frame = pl.DataFrame(
        {
            "month": month_dates(grid.month_of_row()[active]),
            **_decode_cells(packing.unpack(grid.keys[cells]), VACANCY_CELL, dictionaries),
            "open": open_count[active],
            "open_fte": pl.Series(grid.running(open_hours)[active] / FTE_HOURS).round(4),
            "opened": opened[active],
            "filled": filled_count[active],
            "withdrawn": withdrawn_count[active],
            "hard_to_fill": grid.running(hard_count)[active],
            "opened_day_sum": grid.running(day_sum)[active].astype(np.int64),
            "median_days_to_fill": pl.Series(median_days[active]).fill_nan(None),
        }
    )
    month_end_day = pl.col("month").dt.month_end().cast(pl.Int64)
    mean_days = (
        pl.when(pl.col("open") > 0)
        .then((pl.col("open") * month_end_day - pl.col("opened_day_sum")) / pl.col("open"))
        .otherwise(None)
    )
    return frame.select(
        "month",
        *VACANCY_CELL,
        "open",
        "open_fte",
        "opened",
        "filled",
        "withdrawn",
        "hard_to_fill",
        mean_days_open=mean_days.round(1),
        median_days_to_fill="median_days_to_fill",
    )


# -- mobility, education, demand ---------------------------------------------------------------


def mobility(linked: LinkedSpells, months: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Moves between employers per quarter of arrival, employer pair and profession, with the
    region of the work location left (``from_region_code``) and joined (``to_region_code``).

    Only arrivals in a month the new employer's extracts cover count, as in its hires.
    """
    regions = Regions.of(linked.dictionaries["municipality_code"], reference)
    coverage = Coverage.of(months, linked.dictionaries["employer_id"])
    moving = moves(linked)
    to_employer = moving["to_employer_id"].cast(pl.Int64).to_numpy()
    arrival = month_number(moving["started_on"])
    counted = (
        coverage.covered[to_employer]
        & (arrival >= coverage.first[to_employer])
        & (arrival <= coverage.last[to_employer])
    )
    counts = (
        moving.with_columns(
            from_region_code=regions.of_municipality.gather(moving["from_municipality_code"]),
            to_region_code=regions.of_municipality.gather(moving["to_municipality_code"]),
        )
        .filter(pl.Series(counted))
        .group_by(
            pl.col("started_on").dt.truncate("3mo").alias("quarter"),
            "from_employer_id",
            "from_sector_code",
            "to_employer_id",
            "to_sector_code",
            pl.col("from_profession_code").alias("profession_code"),
            "to_profession_code",
            "from_region_code",
            "to_region_code",
        )
        .agg(moves=pl.len().cast(pl.Int64))
        .sort("quarter", "from_employer_id", "to_employer_id", "profession_code")
    )
    decoded = {
        "from_employer_id": "employer_id",
        "from_sector_code": "sector_code",
        "to_employer_id": "employer_id",
        "to_sector_code": "sector_code",
        "profession_code": "profession_code",
        "to_profession_code": "profession_code",
    }
    return counts.with_columns(
        *(linked.decode(coded, counts[column]).alias(column) for column, coded in decoded.items()),
        from_region_code=regions.dictionary.decode(counts["from_region_code"]),
        to_region_code=regions.dictionary.decode(counts["to_region_code"]),
    )


def education_pipeline(
    education: pl.LazyFrame, extracts: pl.DataFrame, reference: Reference
) -> pl.LazyFrame:
    """Cohorts per programme and institution with completion and expected graduates.

    A cohort is finished when nobody is enrolled any more; its completion rate is graduates /
    intake. Expected graduates of a running cohort = intake x the completion rate of the
    programme's last finished cohorts at that institution (or of all institutions, or of the
    level when there are none), kept between the graduates so far and graduates + enrolled.
    ``expected_graduation_year`` is the nominal graduation year, or the year after the extract
    when the cohort is already past it; the ``graduations`` mart spreads the graduates still to
    come over the years they are expected in.
    """
    programmes = reference.programmes.select("programme_code", "nominal_years")
    cohorts = (
        education.with_columns(programme_code=reference.programme_of(pl.col("programme_code")))
        .group_by("cohort_year", "programme_code", "institution_code", "level")
        .agg(pl.sum("intake", "enrolled", "graduates", "dropouts"))
        .join(extracts.lazy(), on="institution_code", how="left")
        .join(programmes.lazy(), on="programme_code", how="left")
        .with_columns(finished=pl.col("enrolled") == 0)
    )
    rate = _completion_rates(cohorts)
    observed = pl.when(pl.col("finished") & (pl.col("intake") > 0)).then(
        pl.col("graduates") / pl.col("intake")
    )
    expected = (pl.col("intake") * pl.col("projected_completion_rate")).clip(
        pl.col("graduates"), pl.col("graduates") + pl.col("enrolled")
    )
    extract_year = pl.col("extract_date").dt.year()
    nominal_year = pl.col("cohort_year") + pl.col("nominal_years").round().cast(pl.Int64)
    return (
        rate.with_columns(
            completion_rate=observed.round(4),
            expected_graduates=pl.when(pl.col("finished"))
            .then(pl.col("graduates").cast(pl.Float64))
            .otherwise(expected)
            .round(2),
        )
        .with_columns(
            expected_graduation_year=pl.when(pl.col("finished"))
            .then(None)
            .otherwise(pl.max_horizontal(nominal_year, extract_year + 1))
        )
        .select(
            "cohort_year",
            "programme_code",
            "institution_code",
            "level",
            "intake",
            "enrolled",
            "graduates",
            "dropouts",
            "finished",
            "completion_rate",
            pl.col("projected_completion_rate").round(4),
            "expected_graduates",
            "expected_graduation_year",
        )
        .sort("programme_code", "institution_code", "cohort_year")
    )


def _completion_rates(cohorts: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``projected_completion_rate``: the pooled rate of recent finished cohorts."""
    finished = cohorts.filter(pl.col("finished") & (pl.col("intake") > 0))

    def pooled(keys: list[str], name: str) -> pl.LazyFrame:
        recent = finished.filter(
            pl.col("cohort_year").rank("ordinal", descending=True).over(keys)
            <= FINISHED_COHORTS_FOR_RATE
        )
        return recent.group_by(keys).agg(
            (pl.col("graduates").sum() / pl.col("intake").sum()).alias(name)
        )

    return (
        cohorts.join(
            pooled(["programme_code", "institution_code"], "_own"),
            on=["programme_code", "institution_code"],
            how="left",
        )
        .join(pooled(["programme_code"], "_programme"), on="programme_code", how="left")
        .join(pooled(["level"], "_level"), on="level", how="left")
        .with_columns(projected_completion_rate=pl.coalesce("_own", "_programme", "_level"))
        .drop("_own", "_programme", "_level")
    )


def employer_sectors(linked: LinkedSpells) -> pl.DataFrame:
    """Each employer's sector: the one most of its staff spells carry (ties: the first code)."""
    counts = (
        linked.frame.group_by("employer_id", "sector_code")
        .agg(spells=pl.len())
        .sort(["employer_id", "spells", "sector_code"], descending=[False, True, False])
        .group_by("employer_id", maintain_order=True)
        .first()
    )
    return pl.DataFrame(
        {
            "employer_id": linked.decode("employer_id", counts["employer_id"]),
            "sector_code": linked.decode("sector_code", counts["sector_code"]),
        }
    )


def open_vacancy_fte(
    vacancy_monthly: pl.DataFrame, sectors: pl.DataFrame, reference: Reference
) -> pl.DataFrame:
    """Open vacancy FTE and count per month, region, sector and profession.

    A vacancy takes its employer's sector (:func:`employer_sectors`).
    """
    regions = reference.municipalities.select("municipality_code", "region_code")
    return (
        vacancy_monthly.lazy()
        .join(sectors.lazy(), on="employer_id", how="left")
        .join(regions.lazy(), on="municipality_code", how="left")
        .group_by(DEMAND_KEYS)
        .agg(open_vacancy_fte=pl.sum("open_fte"), open_vacancies=pl.sum("open"))
        .collect()
    )


def demand(filled: pl.DataFrame, vacant: pl.DataFrame) -> pl.DataFrame:
    """Required FTE = filled FTE + open vacancy FTE, per month, region, sector and profession.

    From the staff side of :func:`workforce_monthly` and :func:`open_vacancy_fte`.
    ``employers`` counts the employers with staff in the cell that month.
    """
    return (
        filled.join(vacant, on=DEMAND_KEYS, how="full", coalesce=True)
        .with_columns(
            pl.col("filled_fte", "open_vacancy_fte").fill_null(0.0),
            pl.col("headcount", "open_vacancies", "employers").fill_null(0),
        )
        .with_columns(required_fte=(pl.col("filled_fte") + pl.col("open_vacancy_fte")).round(4))
        .select(
            *DEMAND_KEYS,
            pl.col("filled_fte").round(4),
            pl.col("open_vacancy_fte").round(4),
            "required_fte",
            "headcount",
            "open_vacancies",
            "employers",
        )
        .sort(DEMAND_KEYS)
    )
