"""Synthetic education cohorts (DUO shape): intake each September, then graduates and dropouts.

Intake per programme is sized from the region's demand for the professions the programme feeds,
so that the education pipeline and the labour market are of one scale. Each student's outcome
(graduate or drop out) and the study year it happens in are drawn; a cohort row shows what had
happened by the extract date, so recent cohorts are still largely enrolled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from workforce.reference import Reference
from workforce.synthetic.params import RegionParams

# MBO programmes of the region's two MBO colleges (BRIN, share of the regional intake).
# Which college offers which qualification is a synthetic assumption.
MBO_COLLEGES: tuple[tuple[str, float], ...] = (("25LH", 0.6), ("30RN", 0.4))
# Share of intake per route by level; BBL is common in care qualifications.
ROUTE_SHARE: dict[str, dict[str, float]] = {
    "MBO1": {"BOL": 1.0},
    "MBO2": {"BOL": 0.8, "BBL": 0.2},
    "MBO3": {"BOL": 0.65, "BBL": 0.35},
    "MBO4": {"BOL": 0.7, "BBL": 0.3},
    "HBO": {"voltijd": 0.82, "deeltijd": 0.1, "duaal": 0.08},
    "WO": {"voltijd": 1.0},
}
WORK_BASED_ROUTES = frozenset({"BBL", "duaal", "deeltijd"})
_MINIMUM_INTAKE = 12.0

EDUCATION_SCHEMA: dict[str, pl.DataType] = {
    "institution_code": pl.String(),
    "programme_code": pl.String(),
    "level": pl.String(),
    "route": pl.String(),
    "municipality_code": pl.String(),
    "cohort_year": pl.Int64(),
    "intake": pl.Int64(),
    "enrolled": pl.Int64(),
    "graduates": pl.Int64(),
    "dropouts": pl.Int64(),
}


@dataclass(frozen=True)
class EducationTruth:
    """Per programme: graduates per year the region needs in 2015 and the completion rate used."""

    graduates_needed: dict[str, float]
    completion_rate: dict[str, float]


def _code_by_era(codes: pl.DataFrame) -> Callable[[int], str]:
    """The code a cohort was registered under, by cohort year: older crebo series for older cohorts.

    MBO qualifications were renumbered in 2016 (92xxx -> 254xx/252xx) and revised again from 2020.
    """
    current = codes.filter(pl.col("status") == "current")["code"].item()
    previous = codes.filter(pl.col("status") == "previous")["code"].to_list()
    if codes["code_system"][0] != "crebo":
        return lambda cohort_year: current
    before_2016 = next((code for code in previous if code.startswith("92")), current)
    before_2020 = next((code for code in previous if code.startswith(("254", "252"))), current)
    return lambda cohort_year: (
        before_2016 if cohort_year < 2016 else before_2020 if cohort_year < 2020 else current
    )


def _graduates_needed(
    reference: Reference, params: RegionParams, demand_by_profession: dict[str, float]
) -> dict[str, float]:
    shares = reference.programme_professions
    total_share = shares.group_by("profession_code").agg(pl.col("entry_share").sum().alias("total"))
    rows = shares.join(total_share, on="profession_code").iter_rows(named=True)
    intake: dict[str, float] = {}
    for row in rows:
        entrants = demand_by_profession.get(row["profession_code"], 0.0) * params.new_entrant_rate
        # Graduates needed, shared over the programmes that feed the profession.
        graduates = entrants / row["total"]
        intake[row["programme_code"]] = intake.get(row["programme_code"], 0.0) + graduates
    return intake


def generate_education(
    reference: Reference,
    params: RegionParams,
    demand_by_profession: dict[str, float],
    rng: np.random.Generator,
) -> tuple[dict[str, pl.DataFrame], EducationTruth]:
    """Education cohort rows per institution (BRIN -> frame in the contract's columns)."""
    programmes = reference.programmes
    level_of = dict(zip(programmes["programme_code"], programmes["level"], strict=True))
    years_of = dict(zip(programmes["programme_code"], programmes["nominal_years"], strict=True))
    municipality_of = dict(
        zip(reference.institutions["institution_code"], reference.institutions["municipality_code"],
            strict=True)
    )  # fmt: skip
    base = _graduates_needed(reference, params, demand_by_profession)
    offers: list[tuple[str, str, float]] = []
    for programme, level in level_of.items():
        if level.startswith("MBO") and programme in base:
            offers.extend((brin, programme, share) for brin, share in MBO_COLLEGES)
    for row in reference.programme_offerings.iter_rows(named=True):
        offers.append((row["institution_code"], row["programme_code"], 1.0))
    # A bachelor that leads to a master is as large as the master it feeds.
    feeds_master = {"56551": "66551", "56604": "66604", "56157": "66157", "56607": "66607"}
    for bachelor, master in feeds_master.items():
        if master in base:
            base[bachelor] = base[master] / 0.9
    completion = {
        programme: params.completion_rate_by_level[level] for programme, level in level_of.items()
    }

    first, last = params.education_cohorts
    extract_year = params.education_extract_date.year
    rows: list[dict[str, object]] = []
    for brin, programme, share in sorted(offers):
        level = level_of[programme]
        nominal = int(years_of[programme])
        needed = base.get(programme, 0.0) / completion[programme]
        size = max(needed, _MINIMUM_INTAKE * rng.uniform(1.0, 4.0)) * share
        code_in = _code_by_era(
            reference.programme_codes.filter(pl.col("programme_code") == programme)
        )
        for cohort in range(first, last + 1):
            trend = (1 + params.education_intake_trend) ** (cohort - 2015)
            bump = 1 + params.education_intake_covid_bump if cohort in (2020, 2021) else 1.0
            for route, route_share in ROUTE_SHARE[level].items():
                expected = size * trend * bump * route_share * rng.lognormal(0.0, 0.08)
                intake = int(rng.poisson(expected))
                rate = completion[programme]
                if route in WORK_BASED_ROUTES:
                    rate = min(rate + params.completion_bonus_work_based, 0.98)
                graduates, dropouts = _outcomes_by(
                    intake, rate, nominal, extract_year - cohort, params, rng
                )
                rows.append(
                    {
                        "institution_code": brin,
                        "programme_code": code_in(cohort),
                        "level": level,
                        "route": route,
                        "municipality_code": municipality_of[brin],
                        "cohort_year": cohort,
                        "intake": intake,
                        "enrolled": intake - graduates - dropouts,
                        "graduates": graduates,
                        "dropouts": dropouts,
                    }
                )
    frame = pl.DataFrame(rows, schema=EDUCATION_SCHEMA)
    by_institution = {
        str(key[0]): part
        for key, part in frame.partition_by("institution_code", as_dict=True).items()
    }
    return by_institution, EducationTruth(graduates_needed=base, completion_rate=completion)


def _outcomes_by(
    intake: int,
    completion_rate: float,
    nominal_years: int,
    years_elapsed: int,
    params: RegionParams,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """Graduates and dropouts of a cohort observed ``years_elapsed`` years after intake."""
    completers = int(rng.binomial(intake, completion_rate))
    leavers = intake - completers
    delay = rng.multinomial(completers, params.graduation_delay_share)
    graduates = sum(int(n) for d, n in enumerate(delay) if nominal_years + d <= years_elapsed)
    drop_year = rng.multinomial(leavers, params.dropout_year_share)
    dropouts = sum(int(n) for y, n in enumerate(drop_year) if y + 1 <= years_elapsed)
    return graduates, dropouts
