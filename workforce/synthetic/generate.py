"""Write a synthetic area of labour-market regions (or a national benchmark load) in the raw
contract formats.

The area is by default the three regions of the Utrecht care employers, simulated together: one
person key across them, so moves between employers of different regions are seen as moves.

Layout written under ``out``::

    staff/<employer_id>_<extract date>.csv|.parquet       one HR extract per employer
    vacancies/<employer_id>_<extract date>.csv|.parquet   one vacancy extract per employer
    education/<BRIN>_<extract date>.csv                   one DUO-style file per institution
    population/history_<extract date>.csv                 population by municipality, sex, age
    population/projection_<vintage>-07-01.parquet         one projection per past vintage
    manifest.json                                         parameters (ground truth) and file hashes

The national scale writes ``staff/block=Nxx/part.parquet`` and ``vacancies/block=Nxx/part.parquet``
one block at a time, so memory stays at the size of one region.

Just over 500 lines: the region and the national load share the frame builders and writers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from workforce import __version__
from workforce.reference import Reference, load_reference
from workforce.schemas import LEAVE_REASONS, OUTCOMES
from workforce.synthetic.education import generate_education
from workforce.synthetic.labour_market import (
    NO_REASON,
    OPEN,
    LabourMarket,
    simulate_labour_market,
)
from workforce.synthetic.params import (
    EMPLOYER_PREFIX,
    HOURS_BY_PROFESSION,
    MUNICIPALITY_WEIGHT,
    PROFESSION_MIX,
    RegionParams,
)
from workforce.synthetic.population import Population, population_frames, simulate_population
from workforce.synthetic.region import Calendar, Layout, build_layout, combine_layouts
from workforce.synthetic.residence import LIVE_AT_WORK, SAME_REGION, draw_residences

SOURCE_FOLDERS = ("staff", "vacancies", "education", "population")
PARQUET_EVERY = 4
"""Every fourth employer delivers Parquet instead of CSV, as some HR systems do."""
NATIONAL_WORKERS = 1_400_000


@dataclass
class GenerationSummary:
    """What a generation run wrote, for the command line and the tests."""

    out: Path
    employers: int = 0
    workers_at_extract: int = 0
    shortage_at_calibration: int = 0
    demand_at_calibration: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCE_FOLDERS, 0))
    files: int = 0
    shortage_by_region: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Region code -> (shortage, demand) at the calibration month."""

    def describe(self) -> str:
        share = self.shortage_at_calibration / max(self.demand_at_calibration, 1)
        regions = "".join(
            f"; {code} {shortage:,} ({shortage / max(demand, 1):.1%})"
            for code, (shortage, demand) in self.shortage_by_region.items()
        )
        return (
            f"{self.employers} employers, {self.workers_at_extract:,} workers at the extract date; "
            f"{self.rows['staff']:,} staff spells, {self.rows['vacancies']:,} vacancies, "
            f"{self.rows['education']:,} education rows, "
            f"{self.rows['population']:,} population rows in {self.files} files; "
            f"shortage at the calibration month {self.shortage_at_calibration:,} "
            f"({share:.1%} of demand){regions if len(self.shortage_by_region) > 1 else ''}."
        )


def _days_to_date(days: np.ndarray, name: str) -> pl.Series:
    series = pl.Series(name, np.where(days == OPEN, 0, days).astype(np.int32)).cast(pl.Date)
    return series.scatter(np.flatnonzero(days == OPEN), None) if (days == OPEN).any() else series


def _person_keys(n: int, rng: np.random.Generator) -> list[str]:
    """Random 64-bit pseudonyms as 16 hex characters, unique within the run."""
    while True:
        keys = rng.integers(0, np.iinfo(np.int64).max, size=n, dtype=np.int64)
        if len(np.unique(keys)) == n:
            return [f"{key:016x}" for key in keys]


def _labels(
    name: str, labels: list[str], codes: np.ndarray, missing: int | None = None
) -> pl.Series:
    """Codes (indices into ``labels``) as a string column; ``missing`` codes become null."""
    index = pl.Series(codes.astype(np.int64))
    if missing is not None:
        index = index.set(index == missing, None)
    return pl.Series(labels, dtype=pl.String).gather(index).alias(name)


def staff_frame(
    market: LabourMarket,
    layout: Layout,
    keys: list[str],
    *,
    residences: tuple[list[str], np.random.Generator] | None = None,
) -> pl.DataFrame:
    """Spells in the staff contract's columns, sorted by employer, start date and person.

    ``residences`` (each municipality's region, and a stream of its own) adds where each
    person lives (:mod:`workforce.synthetic.residence`); without it the optional column is left
    out, as in an extract from before it existed.
    """
    spells = market.spells
    employer = layout.cell_employer[spells["cell"]]
    extra = []
    if residences is not None:
        region_of, rng = residences
        home = draw_residences(
            spells["person"], spells["start"], spells["municipality"], region_of, rng
        )
        extra.append(_labels("residence_municipality_code", layout.municipalities, home))
    return pl.DataFrame(
        [
            _labels("employer_id", layout.employer_ids, employer),
            _labels("person_key", keys, spells["person"]),
            _labels("profession_code", layout.professions, layout.cell_profession[spells["cell"]]),
            _labels("sector_code", layout.sectors, layout.employer_sector[employer]),
            _labels("municipality_code", layout.municipalities, spells["municipality"]),
            _days_to_date(spells["start"], "start_date"),
            _days_to_date(spells["end"], "end_date"),
            pl.Series("contract_hours_week", spells["hours"]),
            pl.Series("birth_year", spells["birth_year"].astype(np.int64)),
            _labels("leave_reason", list(LEAVE_REASONS), spells["reason"], missing=NO_REASON),
            *extra,
        ]
    ).sort("employer_id", "start_date", "person_key")


def _work_and_home(staff: pl.DataFrame, region_of: dict[str, str]) -> dict[str, dict[str, int]]:
    """Ongoing contracts at the extract date per region of work and region of residence."""
    ongoing = staff.filter(pl.col("end_date").is_null()).select(
        work=pl.col("municipality_code").replace_strict(region_of),
        home=pl.col("residence_municipality_code").replace_strict(region_of),
    )
    counts = ongoing.group_by("work", "home").len().sort("work", "home")
    table: dict[str, dict[str, int]] = {}
    for work, home, n in counts.iter_rows():
        table.setdefault(work, {})[home] = n
    return table


def vacancy_frame(market: LabourMarket, layout: Layout) -> pl.DataFrame:
    """Vacancies in the vacancy contract's columns, numbered per employer by opening date."""
    vacancies = market.vacancies
    employer = layout.cell_employer[vacancies["cell"]]
    frame = pl.DataFrame(
        [
            _labels("employer_id", layout.employer_ids, employer),
            _labels(
                "profession_code", layout.professions, layout.cell_profession[vacancies["cell"]]
            ),
            _labels("municipality_code", layout.municipalities, vacancies["municipality"]),
            pl.Series("hours_week", vacancies["hours"]),
            _days_to_date(vacancies["opened"], "opened_on"),
            _days_to_date(vacancies["closed"], "closed_on"),
            _labels("outcome", list(OUTCOMES), vacancies["outcome"]),
        ]
    ).with_row_index("order")
    frame = frame.sort("employer_id", "opened_on", "order").with_columns(
        vacancy_id=pl.format(
            "V{}", (pl.int_range(1, pl.len() + 1).over("employer_id")).cast(pl.String).str.zfill(6)
        )
    )
    return frame.select(
        "employer_id", "vacancy_id", "profession_code", "municipality_code", "hours_week",
        "opened_on", "closed_on", "outcome",
    )  # fmt: skip


def _write(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.write_parquet(path, statistics=False)
    else:
        frame.write_csv(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _clear(out: Path) -> None:
    """Remove what an earlier run wrote here, so no stale file survives."""
    for folder in SOURCE_FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)
    (out / "manifest.json").unlink(missing_ok=True)


def _open_at(first: np.ndarray, last: np.ndarray, day: int) -> int:
    """How many spells (or vacancies) are open at the end of ``day``."""
    return int(((first <= day) & (last > day)).sum())


def _realized(
    market: LabourMarket, layout: Layout, calendar: Calendar, region: int | None = None
) -> dict[str, Any]:
    """Year-end stocks from the simulation (of one region, or all), for the manifest."""
    spells, vacancies = market.spells, market.vacancies
    demand = layout.demand
    if region is not None:
        spells = _of_region(spells, layout, region)
        vacancies = _of_region(vacancies, layout, region)
        demand = demand[layout.cell_region == region]
    result: dict[str, dict[str, float]] = {
        "headcount_at_year_end": {},
        "demand_at_year_end": {},
        "open_vacancies_at_year_end": {},
    }
    for t in np.flatnonzero(calendar.month_of_year == 11):
        day = calendar.last_day[t]
        year = str(calendar.year[t])
        result["headcount_at_year_end"][year] = _open_at(spells["start"], spells["end"], day)
        result["demand_at_year_end"][year] = round(float(demand[:, t].sum()), 1)
        result["open_vacancies_at_year_end"][year] = _open_at(
            vacancies["opened"], vacancies["closed"], day
        )
    if region is not None:
        return result
    return {**result, "hires_by_source": market.hires_by_source, "persons": market.n_persons}


def _of_region(
    columns: dict[str, np.ndarray], layout: Layout, region: int
) -> dict[str, np.ndarray]:
    keep = layout.cell_region[columns["cell"]] == region
    return {name: values[keep] for name, values in columns.items()}


def _shortage_at(
    market: LabourMarket, layout: Layout, calendar: Calendar, when: date, region: int | None = None
) -> tuple[int, int]:
    """Demand minus staff (persons) at the end of ``when``'s month, of one region or all."""
    t = calendar.index_of(when)
    day = calendar.last_day[t]
    spells, demand = market.spells, layout.demand
    if region is not None:
        spells = _of_region(spells, layout, region)
        demand = demand[layout.cell_region == region]
    staff = _open_at(spells["start"], spells["end"], day)
    total = float(demand[:, t].sum())
    return round(total - staff), round(total)


def _moves_between_regions(market: LabourMarket, layout: Layout) -> dict[str, int]:
    """Spells that start within ``GAP_DAYS`` after the same person's previous spell at an
    employer of another region: "AM13->AM14" -> count (ground truth for the mobility mart)."""
    spells = market.spells
    order = np.lexsort((spells["start"], spells["person"]))
    person, start, end = spells["person"][order], spells["start"][order], spells["end"][order]
    region = layout.cell_region[spells["cell"][order]]
    same = person[1:] == person[:-1]
    gap = start[1:] - end[:-1]
    moved = same & (end[:-1] != OPEN) & (gap >= -31) & (gap <= 183) & (region[1:] != region[:-1])
    pairs: dict[str, int] = {}
    for a, b in zip(region[:-1][moved], region[1:][moved], strict=True):
        key = f"{layout.regions[a]}->{layout.regions[b]}"
        pairs[key] = pairs.get(key, 0) + 1
    return dict(sorted(pairs.items()))


def _simulate(
    params: RegionParams,
    reference: Reference,
    rng: np.random.Generator,
    *,
    municipality_weight: dict[str, dict[str, float]],
    population: Population,
    employer_prefix: str = "",
) -> tuple[Calendar, Layout, LabourMarket, list[str]]:
    """Lay out each region of ``municipality_weight`` (region -> municipality -> weight) and
    simulate them as one labour market."""
    calendar = Calendar.between(params.first_month, params.last_month)
    layouts = [
        build_layout(
            params.for_region(code),
            reference,
            calendar,
            rng,
            municipality_weight=weights,
            population=population.subset(list(weights)),
            employer_prefix=employer_prefix or EMPLOYER_PREFIX.get(code, f"{code}-"),
        )
        for code, weights in municipality_weight.items()
    ]
    layout = combine_layouts(layouts)
    market = simulate_labour_market(layout, params, calendar, reference, rng)
    keys = _person_keys(market.n_persons, rng)
    return calendar, layout, market, keys


def generate_region(
    out: Path,
    *,
    seed: int = 42,
    params: RegionParams | None = None,
    reference: Reference | None = None,
) -> GenerationSummary:
    """Generate the regions of ``params.regions`` (default: the three of the Utrecht care
    employers) and write their raw files and manifest."""
    params = params or RegionParams()
    reference = reference or load_reference()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    weights = {
        code: {m: MUNICIPALITY_WEIGHT[m] for m in reference.municipality_codes(code)}
        for code in params.regions
    }
    municipalities = [m for region in weights.values() for m in region]
    # The population has its own stream, so the labour market draws stay as they were.
    population_rng = np.random.default_rng([seed, 7])
    population = simulate_population(municipalities, population_rng)
    calendar, layout, market, keys = _simulate(
        params, reference, rng, municipality_weight=weights, population=population
    )
    region_by_place = {m: region for region, places in weights.items() for m in places}
    region_of = [region_by_place[m] for m in layout.municipalities]
    # Residences have their own stream too.
    residence_rng = np.random.default_rng([seed, 11])
    staff = staff_frame(market, layout, keys, residences=(region_of, residence_rng))
    vacancies = vacancy_frame(market, layout)
    # The schools serve the whole area.
    demand_2015 = {
        profession: float(layout.demand[layout.cell_profession == p, 0].sum())
        for p, profession in enumerate(layout.professions)
    }
    education, education_truth = generate_education(reference, params, demand_2015, rng)

    _clear(out)
    summary = GenerationSummary(out=out, employers=len(layout.employer_ids))
    files: dict[str, dict[str, Any]] = {}

    def record(frame: pl.DataFrame, relative: str, source: str) -> None:
        path = out / relative
        _write(frame, path)
        files[relative] = {"rows": frame.height, "sha256": _sha256(path)}
        summary.rows[source] += frame.height
        summary.files += 1

    extract = params.extract_date.isoformat()
    staff_of = staff.partition_by("employer_id", as_dict=True)
    vacancies_of = vacancies.partition_by("employer_id", as_dict=True)
    for i, employer in enumerate(layout.employer_ids):
        suffix = "parquet" if i % PARQUET_EVERY == PARQUET_EVERY - 1 else "csv"
        record(
            staff_of.get((employer,), staff.clear()),
            f"staff/{employer}_{extract}.{suffix}",
            "staff",
        )
        record(
            vacancies_of.get((employer,), vacancies.clear()),
            f"vacancies/{employer}_{extract}.{suffix}",
            "vacancies",
        )
    education_extract = params.education_extract_date.isoformat()
    for brin, frame in sorted(education.items()):
        record(frame, f"education/{brin}_{education_extract}.csv", "education")
    history, projections = population_frames(
        population,
        history_years=(params.population_first_year, params.extract_date.year),
        vintages=list(range(params.first_projection_vintage, params.extract_date.year + 1)),
        rng=population_rng,
    )
    record(history, f"population/history_{extract}.csv", "population")
    for vintage, frame in projections.items():
        record(frame, f"population/projection_{vintage}-07-01.parquet", "population")

    shortage, demand = _shortage_at(market, layout, calendar, params.calibration_month)
    summary.shortage_at_calibration, summary.demand_at_calibration = shortage, demand
    summary.shortage_by_region = {
        code: _shortage_at(market, layout, calendar, params.calibration_month, region=r)
        for r, code in enumerate(layout.regions)
    }
    summary.workers_at_extract = staff.filter(pl.col("end_date").is_null()).height
    manifest = {
        "generator": "workforce.synthetic",
        "version": __version__,
        "scale": "region",
        "seed": seed,
        "params": params.to_dict(),
        "regions": list(params.regions),
        "municipality_weight": {m: w for region in weights.values() for m, w in region.items()},
        "profession_mix": PROFESSION_MIX,
        "hours_by_profession": HOURS_BY_PROFESSION,
        "employers": [
            {
                "employer_id": employer,
                "region_code": layout.regions[layout.employer_region[e]],
                "sector_code": layout.sectors[layout.employer_sector[e]],
                "municipalities": [layout.municipalities[m] for m in layout.employer_locations[e]],
            }
            for e, employer in enumerate(layout.employer_ids)
        ],
        "drivers": {
            "population_75plus_index": {
                code: {
                    str(calendar.months[t]): round(float(index[t]), 6) for t in range(len(calendar))
                }
                for code, index in layout.population_75plus_index.items()
            }
        },
        "demography": _demography_truth(params, layout, calendar),
        "residence": {
            "live_at_work": LIVE_AT_WORK,
            "same_region": SAME_REGION,
            "other_region": round(1 - LIVE_AT_WORK - SAME_REGION, 6),
        },
        "education": {
            "graduates_needed_2015": {
                k: round(v, 3) for k, v in education_truth.graduates_needed.items()
            },
            "completion_rate": education_truth.completion_rate,
        },
        "realized": {
            **_realized(market, layout, calendar),
            "shortage_at_calibration": shortage,
            "demand_at_calibration": demand,
            "workers_at_extract": summary.workers_at_extract,
            "moves_between_regions": _moves_between_regions(market, layout),
            "contracts_at_extract_by_work_and_home_region": _work_and_home(staff, region_by_place),
            "by_region": {
                code: {
                    **_realized(market, layout, calendar, region=r),
                    "shortage_at_calibration": summary.shortage_by_region[code][0],
                    "demand_at_calibration": summary.shortage_by_region[code][1],
                }
                for r, code in enumerate(layout.regions)
            },
        },
        "files": files,
    }
    _write_manifest(out, manifest)
    return summary


def _demography_truth(params: RegionParams, layout: Layout, calendar: Calendar) -> dict[str, Any]:
    """What a structural demand model should recover: care use per 1,000 inhabitants of each
    band at the calibration month (staff persons), per region and sector, and the
    non-demographic growth per year (the same in every region)."""
    years = {
        sector: {
            str(year): round(float(factor[calendar.year == year].mean()), 6)
            for year in np.unique(calendar.year)
        }
        for sector, factor in layout.other_factor.items()
    }
    return {
        "calibration_month": params.calibration_month.isoformat(),
        "care_use_rate_per_1000": layout.care_use_rate,
        "other_growth_change": params.other_growth_change.isoformat(),
        "other_growth_before": params.other_growth_before,
        "other_growth_after": params.other_growth_after,
        "other_factor_by_year": years,
        "projection_publication": "1 July of the vintage year",
    }


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    (out / "manifest.json").write_text(text + "\n", encoding="utf-8")


def generate_national(
    out: Path,
    *,
    seed: int = 42,
    workers: int = NATIONAL_WORKERS,
    reference: Reference | None = None,
    on_block: Callable[[int, int], None] | None = None,
) -> GenerationSummary:
    """A national benchmark load: one region-sized block per reference municipality, streamed.

    The blocks are a load for benchmarks, not a geography: block ``Nxx`` puts all its employers
    in the xx-th municipality of the reference table.
    """
    reference = reference or load_reference()
    municipalities = reference.municipality_codes()
    base = RegionParams().with_regions("AM13")
    # Staff at the extract date is about 96 % of demand at the calibration month.
    per_block = base.with_size(workers / len(municipalities) / 0.96).for_region("AM13")
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    summary = GenerationSummary(out=out)
    blocks: dict[str, Any] = {}
    for i, municipality in enumerate(municipalities):
        block = f"N{i + 1:02d}"
        rng = np.random.default_rng([seed, i])
        population = simulate_population([municipality], np.random.default_rng([seed, i, 7]))
        calendar, layout, market, keys = _simulate(
            per_block, reference, rng, municipality_weight={"AM13": {municipality: 1.0}},
            population=population, employer_prefix=f"{block}-",
        )  # fmt: skip
        staff = staff_frame(market, layout, keys)
        vacancies = vacancy_frame(market, layout)
        _write(staff, out / "staff" / f"block={block}" / "part.parquet")
        _write(vacancies, out / "vacancies" / f"block={block}" / "part.parquet")
        at_extract = staff.filter(pl.col("end_date").is_null()).height
        summary.employers += len(layout.employer_ids)
        summary.workers_at_extract += at_extract
        summary.rows["staff"] += staff.height
        summary.rows["vacancies"] += vacancies.height
        summary.files += 2
        shortage, demand = _shortage_at(market, layout, calendar, per_block.calibration_month)
        summary.shortage_at_calibration += shortage
        summary.demand_at_calibration += demand
        blocks[block] = {
            "municipality_code": municipality,
            "staff_rows": staff.height,
            "vacancy_rows": vacancies.height,
            "workers_at_extract": at_extract,
        }
        del staff, vacancies, market, layout, keys
        if on_block is not None:
            on_block(i + 1, len(municipalities))
    _write_manifest(
        out,
        {
            "generator": "workforce.synthetic",
            "version": __version__,
            "scale": "national",
            "seed": seed,
            "params": per_block.to_dict(),
            "blocks": blocks,
        },
    )
    return summary
