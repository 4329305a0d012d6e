"""Intake advice: a lasting change in yearly intake per programme and institution.

(Over 500 lines because the need, what an extra student yields, the placement cap and the
feasibility are one computation per row over the same outlook arrays.)

Per profession, the gap in persons in December of each projected year (the median of the
simulated shortage, or the quantile that leaves a stated probability of no shortage) is what
education should close. Programmes whose main destination is the profession share that need
in proportion to the graduates they send it now; a programme's share is split over its
institutions in proportion to their intake. An extra student in cohort ``c`` of a programme
of ``L`` years is a working graduate in year ``Y >= c + L`` with probability

    a(c, Y) = completion x entering share x retention ** (Y - c - L + 1/2),

where the entering share is the share of the programme's graduates who start in the
profession in regional care (observed where the region's graduate hires rest on enough people,
else the reference share: see :mod:`workforce.alignment.diffusion`) and retention is the
yearly probability that a new graduate stays (the leaving model's hazards at entry ages).

The advice is one extra yearly intake ``x``, the same for every cohort from the first that can
start after the origin, that closes the gap at the horizon H **and keeps it closed** in the
later projected years: ``x = max over Y >= H of need(Y) / sum_c a(c, Y)``, in whole students
(rounded up). Intake cannot jump: each cohort's extra intake is capped by its placements
(:mod:`workforce.alignment.capacity`) or, without them, by a yearly growth limit (20 % a year
by default, compounding). What the cap leaves open at H is reported as unmet, with the earliest
year by which education alone can close the gap, and what retention, hours or career changers
would have to add meanwhile. Professions reached through training after the diploma (GP,
medical specialist, GZ-psychologist: :mod:`workforce.alignment.routes`) are advised as
training places, with the route's duration and completion. Intervals carry the 80 % interval
of the shortage through the same arithmetic.

The advice speaks for the chosen labour-market regions (default every region of the outlook):
the gap is theirs together, and the entering share, retention and flows are those of their
series. Institutions train for every region, so an advice for one region is the intake that
region's gap alone asks of them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from workforce.alignment.capacity import DEFAULT_GROWTH_LIMIT, growth_caps
from workforce.alignment.routes import load_routes
from workforce.alignment.wording import (
    UNMET_TOLERANCE,
    advice_status,
    feasibility_text,
    row_sentence,
)
from workforce.marts.compute import FTE_HOURS
from workforce.outlook.outlook import DEFAULT_PATHS, Outlook, OutlookResult
from workforce.reference import Reference, load_reference
from workforce.scenario.effects import PROFESSION_LEVEL, default_horizon_year, horizon_index
from workforce.scenario.regions import choose_regions, report_nodes, series_in
from workforce.scenario.spec import ScenarioError

Target = Literal["median", "probability"]
ARRIVAL_OFFSET = 0.5
"""Graduates arrive during their graduation year: on average half a year before December."""
MIN_OBSERVED_HIRES = 30
"""Graduate hires into a profession (over the calibration years) that an observed share needs."""


class AlignmentError(ValueError):
    """The advice cannot be computed as asked (horizon, target, placements file)."""


@dataclass(frozen=True)
class Advice:
    """Intake advice: the ranked table, its detail per cohort year, and per profession the gap,
    what the advice closes, what is left open and the earliest year education can close it."""

    table: pl.DataFrame
    by_year: pl.DataFrame
    gaps: pl.DataFrame
    horizon_year: int
    target: str
    origin: dt.date
    growth_limit: float = DEFAULT_GROWTH_LIMIT
    destinations: pl.DataFrame | None = None
    """Graduate destinations (:func:`workforce.alignment.diffusion.graduate_destinations`)."""
    regions: tuple[str, ...] = ()
    """The labour-market regions whose gap the advice closes (together)."""


def advice_regions(outlook: Outlook, regions: Sequence[str] | None) -> tuple[str, ...]:
    """``regions`` checked against the outlook (none: all its regions); an
    :class:`AlignmentError` names an unknown one."""
    try:
        return choose_regions(outlook, regions)
    except ScenarioError as error:
        raise AlignmentError(str(error)) from None


def gap_at_horizon(
    outlook: Outlook,
    result: OutlookResult,
    index: int,
    *,
    target: Target = "median",
    probability: float = 0.8,
    regions: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Shortage in persons per profession at month ``index``: target value and 80 % interval.

    ``target = "median"`` closes the gap to the median; ``"probability"`` takes the quantile
    that leaves ``probability`` chance of no shortage once closed. The gap is that of
    ``regions`` together (default all; ``region_code`` null when there are several).
    """
    chosen = advice_regions(outlook, regions)
    report = report_nodes(outlook, chosen, [PROFESSION_LEVEL])
    rows = report.nodes["level"] == (PROFESSION_LEVEL if len(chosen) == 1 else "profession_code")
    persons = result.shortage_fte_paths[:, :, index] / result.fte_per_person[None, :]
    by_node = persons @ report.summing[rows.to_numpy()].T
    level = 0.5 if target == "median" else probability
    return report.nodes.filter(rows).select(
        "region_code",
        "profession_code",
        gap_persons=np.quantile(by_node, level, axis=0),
        gap_persons_lo_80=np.quantile(by_node, 0.1, axis=0),
        gap_persons_hi_80=np.quantile(by_node, 0.9, axis=0),
        probability_shortage=(by_node > 0).mean(axis=0),
    )


def _links(outlook: Outlook, reference: Reference, inside: np.ndarray) -> pl.DataFrame:
    """Programme x institution x profession: intake, completion and the share entering the
    series ``inside`` (a mask over the bottom series)."""
    inputs = outlook.supply_inputs
    frame = inputs.cohorts.frame.with_row_index("row")
    future = frame.filter(pl.col("future"))
    professions = inputs.series["profession_code"].to_numpy()
    codes = np.unique(professions[inside])
    shares = np.stack(
        [inputs.cohorts.to_series[:, (professions == code) & inside].sum(axis=1) for code in codes],
        axis=1,
    )
    share_frame = pl.DataFrame(
        {
            "row": np.repeat(np.arange(shares.shape[0]), len(codes)).astype(np.uint32),
            "profession_code": np.tile(codes, shares.shape[0]),
            "entering_share": shares.ravel(),
        }
    ).filter(pl.col("entering_share") > 0)
    per_institution = (
        future.join(share_frame, on="row")
        .group_by("programme_code", "institution_code", "level", "profession_code")
        .agg(
            intake=pl.col("intake").mean(),
            graduates=pl.col("graduates").mean(),
            entering_share=pl.col("entering_share").mean(),
            nominal_years=(pl.col("graduation_year") - pl.col("cohort_year")).first(),
        )
    )
    entry = reference.programme_professions.select(
        "programme_code", "profession_code", "entry_share"
    )
    return per_institution.join(entry, on=["programme_code", "profession_code"], how="left")


def _entrant_retention(outlook: Outlook, inside: np.ndarray) -> pl.DataFrame:
    """Yearly probability that a new graduate stays in regional care, per profession (of the
    series ``inside``)."""
    inputs = outlook.supply_inputs
    monthly = ((inputs.leave_hazard + inputs.retire_hazard) * inputs.graduate_ages).sum(axis=1)
    weights = inputs.cohorts.to_series.sum(axis=0) + inputs.stock.sum(axis=1) * 1e-9
    frame = inputs.series.select("profession_code").with_columns(monthly=monthly, weight=weights)
    return (
        frame.filter(pl.Series(inside))
        .group_by("profession_code")
        .agg(
            yearly_retention=(
                1 - (pl.col("monthly") * pl.col("weight")).sum() / pl.col("weight").sum()
            )
            ** 12
        )
    )


def _initial_units(
    outlook: Outlook,
    reference: Reference,
    excluded: list[str],
    observed: pl.DataFrame | None,
    inside: np.ndarray,
) -> pl.DataFrame:
    """One row per programme x institution for the profession it is advised for."""
    excluded_codes = pl.Series(excluded, dtype=pl.String)  # typed: an empty list is ambiguous
    links = _links(outlook, reference, inside).filter(
        ~pl.col("profession_code").is_in(excluded_codes)
    )
    programme = (
        links.group_by("programme_code", "level", "profession_code")
        .agg(
            intake=pl.col("intake").sum(),
            graduates=pl.col("graduates").sum(),
            entering_share=pl.col("entering_share").first(),
            entry_share=pl.col("entry_share").first(),
            nominal_years=pl.col("nominal_years").first(),
        )
        .with_columns(
            completion=pl.col("graduates") / pl.col("intake"),
            entering_now=pl.col("graduates") * pl.col("entering_share"),
            main=pl.col("entering_share") == pl.col("entering_share").max().over("programme_code"),
        )
        .filter(pl.col("main") | ~pl.col("main").any().over("profession_code"))
        .with_columns(
            weight=pl.col("entering_now") / pl.col("entering_now").sum().over("profession_code")
        )
    )
    hires = (
        observed.select("profession_code", "graduate_hires")
        if observed is not None
        else pl.DataFrame(schema={"profession_code": pl.String, "graduate_hires": pl.Int64})
    )
    enough = pl.col("graduate_hires").fill_null(0) >= MIN_OBSERVED_HIRES
    programme = programme.join(hires, on="profession_code", how="left").with_columns(
        entry_source=pl.when(enough | pl.lit(observed is None))
        .then(pl.lit("observed"))
        .otherwise(pl.lit("reference"))
    )
    if observed is not None:
        # Too few hires to measure: the reference entry share, without a regional factor.
        programme = programme.with_columns(
            entering_share=pl.when(pl.col("entry_source") == "observed")
            .then("entering_share")
            .otherwise(pl.col("entry_share").fill_null(pl.col("entering_share")))
        )
    per_institution = links.select(
        "programme_code", "institution_code", institution_intake="intake"
    ).unique(["programme_code", "institution_code"])
    return programme.join(per_institution, on="programme_code").select(
        route=pl.lit("initial"),
        programme_code="programme_code",
        institution_code="institution_code",
        level="level",
        profession_code="profession_code",
        current_intake="institution_intake",
        programme_intake="intake",
        intake_share=pl.col("institution_intake") / pl.col("intake"),
        completion="completion",
        entering_share="entering_share",
        entry_share="entry_share",
        entry_source="entry_source",
        nominal_years=pl.col("nominal_years").cast(pl.Int64),
        weight="weight",
    )


def _route_units(outlook: Outlook, routes: pl.DataFrame, inside: np.ndarray) -> pl.DataFrame:
    """One row per post-initial route: today's regional places from the yearly entrants (of
    the series ``inside``)."""
    inputs = outlook.supply_inputs
    years = np.arange(outlook.origin.year + 1, outlook.origin.year + outlook.months // 12 + 1)
    entering = inputs.cohorts.graduates(years).mean(axis=1)
    per_profession = (
        inputs.series.select("profession_code")
        .with_columns(entrants=entering)
        .filter(pl.Series(inside))
        .group_by("profession_code")
        .agg(pl.col("entrants").sum())
    )
    return routes.join(per_profession, on="profession_code", how="left").select(
        route=pl.lit("post-initial"),
        programme_code="route_code",
        institution_code=pl.lit(None, pl.String),
        level=pl.lit(None, pl.String),
        profession_code="profession_code",
        current_intake=(pl.col("entrants").fill_null(0.0) / pl.col("completion")).round(0),
        programme_intake=(pl.col("entrants").fill_null(0.0) / pl.col("completion")).round(0),
        intake_share=pl.lit(1.0),
        completion="completion",
        entering_share=pl.lit(1.0),
        entry_share=pl.lit(1.0),
        entry_source=pl.lit("route"),
        nominal_years="duration_years",
        weight=pl.lit(1.0),
    )


def _gaps_by_year(
    outlook: Outlook,
    result: OutlookResult,
    years: list[int],
    target: Target,
    probability: float,
    regions: Sequence[str],
) -> pl.DataFrame:
    frames = [
        gap_at_horizon(
            outlook,
            result,
            horizon_index(outlook, year),
            target=target,
            probability=probability,
            regions=regions,
        ).with_columns(year=pl.lit(year, pl.Int64))
        for year in years
    ]
    return pl.concat(frames)


@dataclass(frozen=True)
class IntakePlan:
    """A lasting extra intake (whole students, with its 80 % interval), the capped extra per
    cohort, the people it has working per year, what stays open, and the earliest year from
    which education alone closes the need."""

    extra: float | None
    extra_lo: float | None
    extra_hi: float | None
    schedule: list[float]
    caps: list[float]
    delivered: dict[int, float]
    unmet: dict[int, float]
    earliest_year: int | None


def plan_intake(
    unit: dict[str, Any],
    needs: dict[str, dict[int, float]],
    retention: float,
    cohorts: list[int],
    years: list[int],
    horizon: int,
    caps: list[float],
) -> IntakePlan:
    """The lasting extra intake of one programme x institution and what it delivers.

    ``unit`` gives ``nominal_years``, ``completion`` and ``entering_share``; ``needs`` the
    persons needed per year for the keys ``""``, ``"_lo_80"``, ``"_hi_80"``; ``caps`` the
    most extra students per cohort of ``cohorts``.
    """
    length = unit["nominal_years"]
    per_student = unit["completion"] * unit["entering_share"]

    def working(cohort: int, year: int) -> float:
        wait = year - cohort - length
        return per_student * retention ** (wait + ARRIVAL_OFFSET) if wait >= 0 else 0.0

    survival = {y: sum(working(c, y) for c in cohorts) for y in years}

    def lasting(need: dict[int, float], since: int) -> float | None:
        ratios = [need[y] / survival[y] for y in years if y >= since and survival[y] > 0]
        if not ratios:
            return None
        return float(math.ceil(max(max(ratios), 0.0) - 1e-9))

    def delivered_by(extra: float) -> tuple[list[float], dict[int, float]]:
        schedule = [min(extra, cap) for cap in caps]
        return schedule, {
            y: sum(x * working(c, y) for x, c in zip(schedule, cohorts, strict=True)) for y in years
        }

    need = needs[""]
    extra = lasting(need, horizon)
    schedule, delivered = delivered_by(extra or 0.0)
    unmet = {y: max(need[y] - delivered[y], 0.0) for y in years}
    earliest = None
    for start in years:
        trial = lasting(need, start)
        if trial is None or survival[start] <= 0:
            continue
        _, reached = delivered_by(trial)
        if all(need[y] - reached[y] <= UNMET_TOLERANCE for y in years if y >= start):
            earliest = start
            break
    return IntakePlan(
        extra=extra,
        extra_lo=lasting(needs["_lo_80"], horizon),
        extra_hi=lasting(needs["_hi_80"], horizon),
        schedule=schedule,
        caps=caps,
        delivered=delivered,
        unmet=unmet,
        earliest_year=earliest,
    )


def advise_intake(
    outlook: Outlook,
    *,
    horizon_year: int | None = None,
    target: Target = "median",
    probability: float = 0.8,
    placements: pl.DataFrame | None = None,
    growth_limit: float = DEFAULT_GROWTH_LIMIT,
    observed: pl.DataFrame | None = None,
    result: OutlookResult | None = None,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    reference: Reference | None = None,
    routes: pl.DataFrame | None = None,
    regions: Sequence[str] | None = None,
) -> Advice:
    """Lasting extra yearly intake per programme and institution (and training places per
    post-initial route) that closes each profession's gap at the horizon and keeps it closed.

    ``placements`` (``programme_code, institution_code, year, placements``) caps a cohort's
    intake; without a row, intake grows by at most ``growth_limit`` a year. ``observed`` holds
    per profession the region's ``graduate_hires`` (:func:`workforce.alignment.diffusion`):
    where they are at least :data:`MIN_OBSERVED_HIRES`, the advice uses the observed share of
    graduates entering, else the reference share. ``regions`` (default every region of the
    outlook) are those whose gap, together, the advice closes.

    ``table`` (ranked by extra intake) has per row ``rank``, ``route`` (``initial`` or
    ``post-initial``), ``programme_code``, ``programme_name``, ``code_system``, ``level``,
    ``institution_code``, ``institution_name``, ``profession_code``, ``horizon_year``,
    ``gap_persons`` (the profession's, at H), ``needed_persons`` (this row's part),
    ``completion``, ``entering_share``, ``entry_source``, ``retention``, ``first_cohort``,
    ``current_intake``, then what can be done next: ``status`` (:data:`STATUSES`),
    ``first_year_extra_intake`` (the feasible step for the first cohort, within the growth
    limit or placements), ``delivered_persons`` and ``closed_share`` (what growing at that
    pace closes at H), ``remaining_gap_persons``, ``earliest_year`` and ``years_to_close``
    (from the origin; null when education alone does not close it); then the full need as
    context: ``extra_intake_per_year`` (whole students, ``_lo_80``/``_hi_80``),
    ``extra_intake_pct``; ``placement_cap_per_year``, ``feasibility`` (empty when the advice
    holds, else the reason in Dutch), ``feasibility_en``, ``advice_nl``, ``advice_en`` (one
    sentence each) and ``assumptions``. Rows are ranked by the feasible step.
    """
    reference = reference or load_reference()
    routes = load_routes() if routes is None else routes
    if target not in ("median", "probability"):
        raise AlignmentError(f"target must be median or probability, not {target!r}")
    if not 0 < probability < 1:
        raise AlignmentError(f"probability must be between 0 and 1, got {probability}")
    if not 0 < growth_limit <= 10:
        raise AlignmentError(f"growth limit must be above 0 and at most 10, got {growth_limit}")
    chosen = advice_regions(outlook, regions)
    inside = series_in(outlook, chosen)
    year = horizon_year or default_horizon_year(outlook)
    try:
        index = horizon_index(outlook, year)
    except ValueError as error:
        raise AlignmentError(str(error)) from None
    origin_year = outlook.origin.year
    last_year = origin_year + outlook.months // 12
    years = list(range(origin_year + 1, last_year + 1))
    periods = np.array([horizon_index(outlook, y) for y in years])
    result = result or outlook.compute(paths=paths, seed=seed, periods=periods)
    gaps_by_year = _gaps_by_year(outlook, result, years, target, probability, chosen)
    retention = dict(_entrant_retention(outlook, inside).iter_rows())
    excluded = routes["profession_code"].to_list()
    units = pl.concat(
        [
            _initial_units(outlook, reference, excluded, observed, inside),
            _route_units(outlook, routes, inside),
        ],
        how="vertical_relaxed",
    ).filter(pl.col("profession_code").is_in(gaps_by_year["profession_code"].unique()))
    gap_of = {
        (row["profession_code"], row["year"]): row for row in gaps_by_year.iter_rows(named=True)
    }
    cap_of = _placement_caps(placements)
    cohorts = list(range(origin_year + 1, last_year + 1))
    rows, by_year = [], []
    for unit in units.iter_rows(named=True):
        profession = unit["profession_code"]
        share = unit["weight"] * unit["intake_share"]
        needs = {
            suffix: {
                y: max(gap_of[(profession, y)][f"gap_persons{suffix}"], 0.0) * share for y in years
            }
            for suffix in ("", "_lo_80", "_hi_80")
        }
        current = unit["current_intake"]
        growth = growth_caps(current, cohorts, origin_year, growth_limit)
        key = (unit["programme_code"], unit["institution_code"])
        caps = [
            max(math.floor(cap_of[(*key, c)] - current + 1e-9), 0.0) if (*key, c) in cap_of else cap
            for cap, c in zip(growth, cohorts, strict=True)
        ]
        rho = retention.get(profession, 0.9)
        plan = plan_intake(unit, needs, rho, cohorts, years, year, caps)
        placement_caps = [
            max(cap_of[(*key, c)] - current, 0.0) if (*key, c) in cap_of else None for c in cohorts
        ]
        placements_given = [cap_of.get((*key, c)) for c in cohorts]
        first = next((c for c in cohorts if c + unit["nominal_years"] <= last_year), cohorts[0])
        rows.append(
            {
                **unit,
                "gap_persons": gap_of[(profession, year)]["gap_persons"],
                "needed_persons": needs[""][year],
                "retention": rho,
                "first_cohort": first,
                "extra_intake_per_year": plan.extra,
                "extra_intake_per_year_lo_80": plan.extra_lo,
                "extra_intake_per_year_hi_80": plan.extra_hi,
                "first_year_extra_intake": plan.schedule[0] if plan.extra is not None else None,
                "placement_cap_per_year": min(
                    (p for p in placement_caps if p is not None), default=None
                ),
                "growth_capped": any(x < (plan.extra or 0.0) for x in plan.schedule),
                "delivered_persons": plan.delivered[year],
                "remaining_gap_persons": plan.unmet[year],
                "later_gap_persons": max((plan.unmet[y] for y in years if y > year), default=0.0),
                "earliest_year": plan.earliest_year,
            }
        )
        for c, x, cap, placed in zip(
            cohorts, plan.schedule, plan.caps, placements_given, strict=True
        ):
            by_year.append(
                {
                    "route": unit["route"],
                    "programme_code": unit["programme_code"],
                    "institution_code": unit["institution_code"],
                    "profession_code": profession,
                    "cohort_year": c,
                    "graduation_year": c + unit["nominal_years"],
                    "current_intake": current,
                    "placements": placed,
                    "placement_cap": cap,
                    "extra_intake": plan.extra,
                    "extra_intake_capped": x if plan.extra is not None else 0.0,
                    "extra_graduates": (x if plan.extra is not None else 0.0) * unit["completion"],
                }
            )
    table = pl.DataFrame(rows, infer_schema_length=None)
    by_year_frame = pl.DataFrame(by_year, infer_schema_length=None).sort(
        "programme_code", "institution_code", "profession_code", "cohort_year", nulls_last=True
    )
    gaps = _profession_summary(outlook, result, index, year, table, gaps_by_year, inside)
    table = _finish(
        table, gaps, reference, routes, year, target, probability, growth_limit, origin_year
    )
    return Advice(
        table=table,
        by_year=by_year_frame,
        gaps=gaps,
        horizon_year=year,
        target=target if target == "median" else f"probability {probability:g}",
        origin=outlook.origin,
        growth_limit=growth_limit,
        regions=chosen,
    )


def _placement_caps(placements: pl.DataFrame | None) -> dict[tuple[str, str | None, int], float]:
    if placements is None or placements.is_empty():
        return {}
    return {
        (row[0], row[1], int(row[2])): float(row[3])
        for row in placements.select(
            "programme_code", "institution_code", "year", "placements"
        ).iter_rows()
    }


def _profession_summary(
    outlook: Outlook,
    result: OutlookResult,
    index: int,
    year: int,
    table: pl.DataFrame,
    gaps_by_year: pl.DataFrame,
    inside: np.ndarray,
) -> pl.DataFrame:
    """Per profession at H: gap, what the advice delivers, what stays open, the earliest year
    education alone closes it, and what other levers would have to add meanwhile (from the
    flows of the series ``inside``)."""
    inputs = outlook.supply_inputs
    mean = result.supply.mean
    hours = inputs.fte_per_person * FTE_HOURS
    flows = inputs.series.select("profession_code").with_columns(
        headcount=mean["headcount"][:, index],
        hours=mean["headcount"][:, index] * hours,
        leavers=mean["leavers"][:, : index + 1].sum(axis=1),
    )
    per_profession = (
        flows.filter(pl.Series(inside))
        .group_by("profession_code")
        .agg(pl.col("headcount", "hours", "leavers").sum())
    )
    retention = _entrant_retention(outlook, inside)
    years_to = year - outlook.origin.year
    advised = table.group_by("profession_code").agg(
        route=pl.col("route").first(),
        delivered_persons=pl.col("delivered_persons").sum(),
        unmet_persons=pl.col("remaining_gap_persons").sum(),
        earliest_year=pl.when(pl.col("earliest_year").is_null().any())
        .then(None)
        .otherwise(pl.col("earliest_year").max()),
    )
    at_horizon = gaps_by_year.filter(pl.col("year") == year).drop("year")
    frame = (
        at_horizon.join(advised, on="profession_code", how="left")
        .join(per_profession, on="profession_code", how="left")
        .join(retention, on="profession_code", how="left")
        .with_columns(
            horizon_year=pl.lit(year, pl.Int64),
            unmet_persons=pl.col("unmet_persons").fill_null(pl.col("gap_persons").clip(0, None)),
            delivered_persons=pl.col("delivered_persons").fill_null(0.0),
        )
    )
    stay = sum(
        pl.col("yearly_retention").fill_null(0.9) ** (k + ARRIVAL_OFFSET) for k in range(years_to)
    )
    return frame.with_columns(
        retention_pct_needed=pl.when(pl.col("leavers") > 0).then(
            100 * pl.col("unmet_persons") / pl.col("leavers")
        ),
        extra_hours_needed=pl.when(pl.col("headcount") > 0).then(
            pl.col("unmet_persons") * (pl.col("hours") / pl.col("headcount")) / pl.col("headcount")
        ),
        career_changers_needed_per_year=pl.col("unmet_persons") / stay,
    ).select(
        "region_code",
        "profession_code",
        "horizon_year",
        "gap_persons",
        "gap_persons_lo_80",
        "gap_persons_hi_80",
        "probability_shortage",
        "route",
        "delivered_persons",
        "unmet_persons",
        "earliest_year",
        "retention_pct_needed",
        "extra_hours_needed",
        "career_changers_needed_per_year",
    )


def _finish(
    table: pl.DataFrame,
    gaps: pl.DataFrame,
    reference: Reference,
    routes: pl.DataFrame,
    year: int,
    target: str,
    probability: float,
    growth_limit: float,
    origin_year: int,
) -> pl.DataFrame:
    names = pl.concat(
        [
            reference.programmes.select(
                "programme_code", programme_name="name", code_system="code_system"
            ),
            routes.select(
                programme_code="route_code",
                programme_name="name_nl",
                code_system=pl.lit("vervolgopleiding"),
            ),
        ]
    )
    institutions = reference.institutions.select("institution_code", institution_name="name")
    professions = reference.professions.select("profession_code", "name_nl", "name_en")
    target_text = "median" if target == "median" else f"{probability:.0%} chance of no shortage"
    others = gaps.select(
        "profession_code",
        "retention_pct_needed",
        "extra_hours_needed",
        "career_changers_needed_per_year",
        profession_unmet="unmet_persons",
    )
    table = (
        table.join(names, on="programme_code", how="left")
        .join(institutions, on="institution_code", how="left")
        .join(professions, on="profession_code", how="left")
        .join(others, on="profession_code", how="left")
        .with_columns(
            horizon_year=pl.lit(year, pl.Int64),
            extra_intake_pct=pl.when(pl.col("current_intake") > 0).then(
                pl.col("extra_intake_per_year") / pl.col("current_intake")
            ),
        )
    )
    table = table.with_columns(
        closed_share=pl.when(pl.col("needed_persons") > 0)
        .then((pl.col("delivered_persons") / pl.col("needed_persons")).clip(0.0, 1.0))
        .otherwise(pl.lit(1.0)),
        years_to_close=pl.col("earliest_year") - pl.lit(origin_year),
    )
    records = []
    for row in table.iter_rows(named=True):
        row["status"] = advice_status(row)
        row["feasibility"] = feasibility_text(row, year, growth_limit, "nl")
        row["feasibility_en"] = feasibility_text(row, year, growth_limit, "en")
        row["advice_nl"] = row_sentence(row, year, "nl")
        row["advice_en"] = row_sentence(row, year, "en")
        records.append(row)
    table = pl.DataFrame(records, infer_schema_length=None)
    assumptions = pl.format(
        "gap {} persons ({}) in {} at {}; this row's part {}; completion {}; entering share {} "
        "({}); retention {} a year; {}-year route from cohort {}; growth limit {} a year",
        pl.col("gap_persons").round(0),
        pl.lit(target_text),
        pl.col("name_en").fill_null(pl.col("profession_code")),
        pl.lit(year),
        pl.col("needed_persons").round(1),
        pl.col("completion").round(2),
        pl.col("entering_share").round(3),
        "entry_source",
        pl.col("retention").round(3),
        "nominal_years",
        "first_cohort",
        pl.lit(f"{growth_limit:.0%}"),
    )
    return (
        table.with_columns(assumptions=assumptions)
        .sort(
            "first_year_extra_intake",
            "extra_intake_per_year",
            "programme_code",
            "institution_code",
            "profession_code",
            descending=[True, True, False, False, False],
            nulls_last=True,
        )
        .with_row_index("rank", offset=1)
        .select(
            "rank",
            "route",
            "programme_code",
            "programme_name",
            "code_system",
            "level",
            "institution_code",
            "institution_name",
            "profession_code",
            "horizon_year",
            "gap_persons",
            "needed_persons",
            "completion",
            "entering_share",
            "entry_source",
            "retention",
            "nominal_years",
            "first_cohort",
            "current_intake",
            "status",
            "first_year_extra_intake",
            "delivered_persons",
            "closed_share",
            "remaining_gap_persons",
            "earliest_year",
            "years_to_close",
            "extra_intake_per_year",
            "extra_intake_per_year_lo_80",
            "extra_intake_per_year_hi_80",
            "extra_intake_pct",
            "placement_cap_per_year",
            "feasibility",
            "feasibility_en",
            "advice_nl",
            "advice_en",
            "assumptions",
        )
    )
