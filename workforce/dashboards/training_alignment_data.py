"""The training-alignment page's numbers without widgets: advice, gaps, graduates, pipeline.

The advice is :func:`workforce.alignment.advise_intake` on the outlook ``workforce forecast``
prepared (nothing is fitted), computed once per horizon year and target and kept; the default
one is read from what the commands stored. Placement capacity is read from
``<data>/placements.csv`` when it is there (the format of ``workforce align --placements``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from workforce.alignment import Advice, AlignmentError
from workforce.dashboards.data import ALL

TARGETS = ("median", "probability")
AdviceFunction = Callable[[int, str], Advice | None]


@dataclass(frozen=True)
class AdviceSource:
    """Intake advice per horizon year and target, computed from the outlook once and kept.

    The default (the default horizon year, the median) is read from what ``workforce forecast``
    or ``workforce align`` stored (:mod:`workforce.alignment.stored`) when it is current."""

    origin_year: int
    years: tuple[int, ...]
    default_year: int
    advise: AdviceFunction
    stored_default: bool = False
    """Whether the default advice was read from what the commands stored (not computed)."""

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> AdviceSource | None:
        """The advice of the outlook saved in ``data_dir``, with its placements and graduate
        hires; None when there is no outlook."""
        from workforce.alignment.stored import DefaultAdvice, read_default_advice
        from workforce.outlook.outlook import saved_outlook

        outlook = saved_outlook(data_dir)
        if outlook is None:
            return None
        try:
            inputs = DefaultAdvice.of(data_dir, outlook)
        except (OSError, ValueError):
            return cls.of(outlook)
        stored = read_default_advice(data_dir, inputs.key)
        known = {(inputs.key["horizon_year"], "median"): stored} if stored else None
        source = cls.of(outlook, inputs.placements, inputs.observed, known=known)
        return replace(source, stored_default=stored is not None)

    @classmethod
    def of(
        cls,
        outlook: object,
        placements: pl.DataFrame | None = None,
        observed: pl.DataFrame | None = None,
        known: dict[tuple[int, str], Advice] | None = None,
    ) -> AdviceSource:
        """The advice of a loaded :class:`~workforce.outlook.outlook.Outlook`; ``observed``
        holds the graduate hires per profession behind observed entry shares; ``known`` the
        advice already computed per horizon year and target."""
        from workforce.alignment import advise_intake
        from workforce.outlook.outlook import Outlook
        from workforce.scenario.effects import default_horizon_year

        assert isinstance(outlook, Outlook)
        cache: dict[tuple[int, str], Advice | None] = dict(known or {})

        def advise(year: int, target: str) -> Advice | None:
            if (year, target) not in cache:
                try:
                    cache[(year, target)] = advise_intake(
                        outlook,
                        horizon_year=year,
                        target="probability" if target == "probability" else "median",
                        placements=placements,
                        observed=observed,
                    )
                except AlignmentError:
                    cache[(year, target)] = None
            return cache[(year, target)]

        first = outlook.origin.year + 1
        last = outlook.origin.year + outlook.months // 12
        return cls(
            origin_year=outlook.origin.year,
            years=tuple(range(first, last + 1)),
            default_year=default_horizon_year(outlook),
            advise=advise,
        )


def selected(table: pl.DataFrame, profession: str | None, institution: str | None) -> pl.DataFrame:
    """Advice rows of a profession and an institution (None or :data:`ALL`: every one)."""
    if profession not in (None, ALL):
        table = table.filter(pl.col("profession_code") == profession)
    if institution not in (None, ALL):
        table = table.filter(pl.col("institution_code") == institution)
    return table


@dataclass(frozen=True)
class TrainingHeadlines:
    """The numbers of the headline tiles for the selection: the gap, the feasible step next
    year with the whole need beside it, the rows per status, and what stays open."""

    horizon_year: int | None
    gap_persons: float | None
    gap_lo_80: float | None
    gap_hi_80: float | None
    first_step: float | None
    first_cohort: int | None
    extra_intake: float | None
    extra_intake_lo_80: float | None
    extra_intake_hi_80: float | None
    advised_rows: int
    statuses: dict[str, int]
    remaining_gap: float | None


def training_headlines(
    advice: Advice | None, profession: str | None, institution: str | None
) -> TrainingHeadlines:
    """The gap at the horizon (a profession's, or the sum of the positive gaps of all), the
    feasible extra intake of the first cohort (within the growth limit or placements) and the
    extra intake a year the whole gap would take, with 80 % intervals for one profession."""
    if advice is None:
        return TrainingHeadlines(None, None, None, None, None, None, None, None, None, 0, {}, None)
    gaps = advice.gaps
    if profession not in (None, ALL):
        row = gaps.filter(pl.col("profession_code") == profession)
        gap = float(row["gap_persons"][0]) if row.height else None
        lo = float(row["gap_persons_lo_80"][0]) if row.height else None
        hi = float(row["gap_persons_hi_80"][0]) if row.height else None
    else:
        gap = float(gaps["gap_persons"].clip(0, None).sum())
        lo = hi = None
    rows = selected(advice.table, profession, institution)
    total = rows.select(
        pl.col("extra_intake_per_year").sum(),
        pl.col("extra_intake_per_year_lo_80").sum(),
        pl.col("extra_intake_per_year_hi_80").sum(),
        pl.col("remaining_gap_persons").sum(),
        pl.col("first_year_extra_intake").sum(),
        pl.col("first_cohort").min(),
    ).row(0)
    # Within one profession the programmes split its need in fixed shares, so the bounds add
    # up; across professions they do not, and no interval is given.
    one_need = profession not in (None, ALL) and rows.height > 0
    return TrainingHeadlines(
        horizon_year=advice.horizon_year,
        gap_persons=gap,
        gap_lo_80=lo,
        gap_hi_80=hi,
        first_step=float(total[4]) if rows.height else None,
        first_cohort=int(total[5]) if rows.height else None,
        extra_intake=float(total[0]) if rows.height else None,
        extra_intake_lo_80=float(total[1]) if one_need else None,
        extra_intake_hi_80=float(total[2]) if one_need else None,
        advised_rows=rows.height,
        statuses=dict(rows["status"].value_counts().iter_rows()) if rows.height else {},
        remaining_gap=float(total[3]) if rows.height else None,
    )


def gap_rows(advice: Advice | None) -> pl.DataFrame:
    """Every profession's gap in persons at the horizon with its 80 % interval, largest first."""
    schema = {
        "profession_code": pl.String,
        "gap_persons": pl.Float64,
        "gap_persons_lo_80": pl.Float64,
        "gap_persons_hi_80": pl.Float64,
    }
    if advice is None:
        return pl.DataFrame(schema=schema)
    return advice.gaps.select(*schema).sort("gap_persons", descending=True)


def graduates_by_year(
    graduations: pl.DataFrame | None,
    advice: Advice | None,
    profession: str | None,
    institution: str | None,
) -> pl.DataFrame:
    """Graduates per graduation year of the selected programmes: expected at today's intake
    (the graduates running cohorts still expect, spread over their years by the ``graduations``
    mart; later cohorts at their current intake) and the extra graduates the advice asks for.

    Columns: ``graduation_year, expected, extra``. The programmes are those the advice names
    for the profession (all advised programmes for :data:`ALL`).
    """
    schema = {"graduation_year": pl.Int64, "expected": pl.Float64, "extra": pl.Float64}
    if advice is None or advice.table.is_empty():
        return pl.DataFrame(schema=schema)
    table = selected(advice.table, profession, institution)
    cells = table.select("programme_code", "institution_code", "completion").unique(
        ["programme_code", "institution_code"]
    )
    by_year = advice.by_year.join(cells, on=["programme_code", "institution_code"])
    future = by_year.group_by(year=pl.col("graduation_year").cast(pl.Int64)).agg(
        expected=(pl.col("current_intake") * pl.col("completion")).sum(),
        extra=pl.col("extra_graduates").sum(),
    )
    running = pl.DataFrame(schema={"year": pl.Int64, "expected": pl.Float64})
    if graduations is not None and "graduation_year" in graduations.columns:
        running = (
            graduations.join(
                cells.select("programme_code", "institution_code"),
                on=["programme_code", "institution_code"],
            )
            .group_by(year=pl.col("graduation_year").cast(pl.Int64))
            .agg(expected=pl.col("expected_graduates").cast(pl.Float64).sum())
        )
    last = advice.horizon_year
    return (
        pl.concat(
            [running.with_columns(extra=pl.lit(0.0)), future.select("year", "expected", "extra")],
            how="vertical_relaxed",
        )
        .group_by("year")
        .agg(pl.col("expected", "extra").sum())
        .filter(pl.col("year") <= last)
        .sort("year")
        .select(graduation_year="year", expected="expected", extra="extra")
    )


def pipeline_trend(
    pipeline: pl.DataFrame | None,
    programmes: list[str] | None,
    institution: str | None,
) -> pl.DataFrame:
    """Completion and dropout per cohort year (graduates, dropouts / intake) of the cohort years
    whose every selected programme has finished: a year where only the short programmes have
    finished would show their completion as the year's."""
    schema = {"cohort_year": pl.Int64, "completion_rate": pl.Float64, "dropout_rate": pl.Float64}
    if pipeline is None or pipeline.is_empty():
        return pl.DataFrame(schema=schema)
    frame = pipeline
    if programmes is not None:
        frame = frame.filter(pl.col("programme_code").is_in(programmes))
    if institution not in (None, ALL):
        frame = frame.filter(pl.col("institution_code") == institution)
    frame = frame.filter(pl.col("finished").all().over("cohort_year"))
    return (
        frame.group_by(cohort_year=pl.col("cohort_year").cast(pl.Int64))
        .agg(
            completion_rate=pl.col("graduates").sum() / pl.col("intake").sum(),
            dropout_rate=pl.col("dropouts").sum() / pl.col("intake").sum(),
        )
        .with_columns(pl.col("completion_rate", "dropout_rate").cast(pl.Float64))
        .sort("cohort_year")
    )


def destinations_of(data_dir: Path, origin_year: int) -> pl.DataFrame | None:
    """Graduate destinations (:func:`workforce.alignment.diffusion.graduate_destinations`)
    from the marts, up to the end of the origin year; None without spells or pipeline."""
    import datetime as dt

    from workforce.alignment.diffusion import graduate_destinations
    from workforce.reference import load_reference
    from workforce.store import Store

    store = Store(data_dir)
    needed = (store.mart_path("spells"), store.mart_path("education_pipeline"))
    if not all(path.is_file() for path in needed):
        return None
    return graduate_destinations(
        store.read_mart("spells"),
        store.read_mart("education_pipeline"),
        load_reference(),
        dt.date(origin_year, 12, 31),
    )


def destination_rows(
    destinations: pl.DataFrame | None,
    advice: Advice | None,
    profession: str | None,
    institution: str | None,
) -> pl.DataFrame:
    """Per programme of the selection (the advised initial programmes): graduates hired in
    regional care per 100 graduates and those still there after one year, over the cells shown
    (hidden cells left out); ``programme_code, hired_per_100, kept_per_100, hidden``."""
    schema = {
        "programme_code": pl.String,
        "hired_per_100": pl.Float64,
        "kept_per_100": pl.Float64,
        "hidden": pl.Int64,
    }
    if destinations is None or advice is None:
        return pl.DataFrame(schema=schema)
    rows = selected(advice.table, profession, institution).filter(pl.col("route") == "initial")
    programmes = rows["programme_code"].unique().to_list()
    chosen = destinations.filter(pl.col("programme_code").is_in(programmes))
    if profession not in (None, ALL):
        chosen = chosen.filter(pl.col("profession_code") == profession)
    return (
        chosen.group_by("programme_code")
        .agg(
            hired_per_100=100 * pl.col("share_of_graduates").fill_null(0.0).sum(),
            kept_per_100=100
            * (pl.col("share_of_graduates") * pl.col("retention_1y")).fill_null(0.0).sum(),
            hidden=pl.col("suppressed").sum().cast(pl.Int64),
        )
        .sort("hired_per_100", descending=True)
        .select(*schema)
    )
