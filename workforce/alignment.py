"""Training alignment: how many more students each programme should take in, per institution.

Per profession, the gap in persons at the horizon year H (the median of the simulated shortage,
or the quantile that leaves a stated probability of no shortage) is the number of extra people
the region needs working in that profession at H. Programmes that feed the profession share
that need in proportion to the graduates they send it now. For a programme of L years, the
cohorts starting after the origin year and graduating by H (``cohort_year + L <= H``) can help;
each extra student becomes a working graduate at H with probability

    completion x entry share x regional entry factor x regional retention until H,

where completion is the cohorts' projected completion rate, the entry share comes from the
reference (``programme_professions.csv``), the entry factor is the region's calibrated share of
those graduates who actually start in regional care, and retention is the survival from the
graduation year to H under the leaving model's hazards at the ages graduates enter. So

    extra intake per cohort = needed graduates at H / sum over cohorts of that probability.

A profession's need goes to the programmes whose main destination it is (largest entry share;
all feeding programmes if none has it as main destination), so a nurse gap is not closed by
training care helpers; extra graduates reaching other professions are left out (conservative).
A programme that still serves several needs gets the intake that closes the largest. The
programme's extra intake is split over its institutions in proportion to their intake, and
capped per cohort year by placement capacity where it is given (the cohort's intake may not
exceed its placements); what the cap leaves open is reported as a remaining gap. Intervals
carry the 80 % interval of the shortage through the same arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from workforce.csv_safety import write_csv, write_excel
from workforce.forecast.outlook import DEFAULT_PATHS, Outlook, OutlookResult
from workforce.reference import Reference, load_reference
from workforce.scenario.effects import PROFESSION_LEVEL, default_horizon_year, horizon_index
from workforce.store import replacing

Target = Literal["median", "probability"]
ARRIVAL_OFFSET = 0.5
"""Graduates arrive during their graduation year: on average half a year before December."""
PLACEMENT_COLUMNS = ("programme_code", "institution_code", "year", "placements")


class AlignmentError(ValueError):
    """The advice cannot be computed as asked (horizon, target, placements file)."""


@dataclass(frozen=True)
class Advice:
    """Intake advice: the ranked table, its detail per cohort year, and the profession gaps."""

    table: pl.DataFrame
    by_year: pl.DataFrame
    gaps: pl.DataFrame
    horizon_year: int
    target: str
    origin: dt.date


def read_placements(path: Path) -> pl.DataFrame:
    """Placement capacity per programme, institution and cohort year from a CSV file."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.ComputeError) as error:
        raise AlignmentError(f"{path}: cannot read placements: {error}") from None
    missing = [c for c in PLACEMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise AlignmentError(
            f"{path}: missing column(s) {missing}; expected {', '.join(PLACEMENT_COLUMNS)}"
        )
    try:
        typed = frame.select(
            pl.col("programme_code").str.strip_chars(),
            pl.col("institution_code").str.strip_chars(),
            pl.col("year").str.strip_chars().cast(pl.Int64),
            pl.col("placements").str.strip_chars().cast(pl.Float64),
        )
    except pl.exceptions.InvalidOperationError:
        raise AlignmentError(
            f"{path}: year must be a whole number and placements a number"
        ) from None
    if typed.filter(pl.col("placements") < 0).height:
        raise AlignmentError(f"{path}: placements must not be negative")
    return typed


def gap_at_horizon(
    outlook: Outlook,
    result: OutlookResult,
    index: int,
    *,
    target: Target = "median",
    probability: float = 0.8,
) -> pl.DataFrame:
    """Shortage in persons per profession at month ``index``: target value and 80 % interval.

    ``target = "median"`` closes the gap to the median; ``"probability"`` takes the quantile
    that leaves ``probability`` chance of no shortage once closed.
    """
    nodes = outlook.hierarchy.nodes
    rows = np.flatnonzero(nodes["level"].to_numpy() == PROFESSION_LEVEL)
    persons = result.shortage_fte_paths[:, :, index] / result.fte_per_person[None, :]
    by_node = persons @ outlook.hierarchy.summing[rows].T
    level = 0.5 if target == "median" else probability
    return nodes[rows].select(
        "region_code",
        "profession_code",
        gap_persons=np.quantile(by_node, level, axis=0),
        gap_persons_lo_80=np.quantile(by_node, 0.1, axis=0),
        gap_persons_hi_80=np.quantile(by_node, 0.9, axis=0),
        probability_shortage=(by_node > 0).mean(axis=0),
    )


def _links(outlook: Outlook, reference: Reference) -> pl.DataFrame:
    """Programme x institution x profession: intake, completion and the share entering."""
    inputs = outlook.supply_inputs
    frame = inputs.cohorts.frame.with_row_index("row")
    future = frame.filter(pl.col("future"))
    professions = inputs.series["profession_code"].to_numpy()
    codes = np.unique(professions)
    shares = np.stack(
        [inputs.cohorts.to_series[:, professions == code].sum(axis=1) for code in codes], axis=1
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


def _entrant_retention(outlook: Outlook) -> pl.DataFrame:
    """Yearly probability that a new graduate stays in regional care, per profession."""
    inputs = outlook.supply_inputs
    monthly = ((inputs.leave_hazard + inputs.retire_hazard) * inputs.graduate_ages).sum(axis=1)
    weights = inputs.cohorts.to_series.sum(axis=0) + 1e-12
    frame = inputs.series.select("profession_code").with_columns(monthly=monthly, weight=weights)
    return frame.group_by("profession_code").agg(
        yearly_retention=(1 - (pl.col("monthly") * pl.col("weight")).sum() / pl.col("weight").sum())
        ** 12
    )


def advise_intake(
    outlook: Outlook,
    *,
    horizon_year: int | None = None,
    target: Target = "median",
    probability: float = 0.8,
    placements: pl.DataFrame | None = None,
    result: OutlookResult | None = None,
    paths: int = DEFAULT_PATHS,
    seed: int = 0,
    reference: Reference | None = None,
) -> Advice:
    """Extra intake per programme and institution to close each profession's gap at the horizon.

    ``table`` (ranked by extra intake) has per programme x institution: ``rank``,
    ``programme_code``, ``programme_name``, ``code_system`` (crebo/croho), ``level``,
    ``institution_code``, ``institution_name``, ``profession_code`` (the need that binds),
    ``horizon_year``, ``gap_persons`` (the profession's, at the target), ``needed_graduates``
    (this programme's part, working at H), ``completion``, ``entry_share``, ``entry_factor``,
    ``retention`` (mean over the cohorts), ``cohorts``, ``first_cohort``, ``last_cohort``,
    ``current_intake``, ``extra_intake_per_year`` (with ``_lo_80``/``_hi_80``),
    ``programme_extra_intake_per_year`` (the programme's total, split by intake),
    ``extra_intake_pct``, ``placement_cap_per_year``, ``extra_intake_capped_per_year``,
    ``extra_intake_total``, ``extra_intake_capped_total``, ``remaining_gap_persons`` and
    ``assumptions`` (the numbers behind the advice, as text).
    """
    reference = reference or load_reference()
    if target not in ("median", "probability"):
        raise AlignmentError(f"target must be median or probability, not {target!r}")
    if not 0 < probability < 1:
        raise AlignmentError(f"probability must be between 0 and 1, got {probability}")
    year = horizon_year or default_horizon_year(outlook)
    try:
        index = horizon_index(outlook, year)
    except ValueError as error:
        raise AlignmentError(str(error)) from None
    origin_year = outlook.origin.year
    result = result or outlook.compute(paths=paths, seed=seed, periods=np.array([index]))
    gaps = gap_at_horizon(outlook, result, index, target=target, probability=probability)
    links = _links(outlook, reference).join(_entrant_retention(outlook), on="profession_code")
    links = links.with_columns(
        completion=pl.when(pl.col("intake") > 0).then(pl.col("graduates") / pl.col("intake")),
        first_cohort=pl.lit(origin_year + 1),
        last_cohort=pl.lit(year) - pl.col("nominal_years"),
    ).with_columns(cohorts=(pl.col("last_cohort") - pl.col("first_cohort") + 1).clip(0, None))
    # Survival from arrival to H summed over the cohorts that graduate by H (geometric sum).
    rho = pl.col("yearly_retention")
    first_wait = pl.lit(year) - pl.col("last_cohort") - pl.col("nominal_years") + ARRIVAL_OFFSET
    survival = pl.when(pl.col("cohorts") > 0).then(
        rho**first_wait * (1 - rho ** pl.col("cohorts")) / (1 - rho).clip(1e-9, None)
    )
    programme = (
        links.group_by("programme_code", "level", "profession_code")
        .agg(
            intake=pl.col("intake").sum(),
            graduates=pl.col("graduates").sum(),
            entering_share=pl.col("entering_share").first(),
            entry_share=pl.col("entry_share").first(),
            nominal_years=pl.col("nominal_years").first(),
            yearly_retention=pl.col("yearly_retention").first(),
            first_cohort=pl.col("first_cohort").first(),
            last_cohort=pl.col("last_cohort").first(),
            cohorts=pl.col("cohorts").first(),
        )
        .with_columns(completion=pl.col("graduates") / pl.col("intake"))
        .with_columns(survival_sum=survival)
        .with_columns(
            entering_now=pl.col("graduates") * pl.col("entering_share"),
            reachable=pl.col("cohorts") > 0,
            main=pl.col("entering_share") == pl.col("entering_share").max().over("programme_code"),
        )
        .filter(pl.col("main") | ~pl.col("main").any().over("profession_code"))
        .with_columns(
            weight=pl.when(pl.col("reachable")).then(
                pl.col("entering_now")
                / pl.col("entering_now").filter(pl.col("reachable")).sum().over("profession_code")
            )
        )
        .join(gaps, on="profession_code", how="inner")
    )
    per_student = pl.col("completion") * pl.col("entering_share") * pl.col("survival_sum")
    programme = programme.with_columns(
        *[
            (pl.col(f"gap_persons{s}").clip(0, None) * pl.col("weight")).alias(
                f"needed_graduates{s}"
            )
            for s in ("", "_lo_80", "_hi_80")
        ]
    ).with_columns(
        *[
            pl.when(pl.col("reachable") & (per_student > 0))
            .then(pl.col(f"needed_graduates{s}") / per_student)
            .alias(f"extra_intake_per_year{s}")
            for s in ("", "_lo_80", "_hi_80")
        ]
    )
    binding = (
        programme.filter(pl.col("extra_intake_per_year").is_not_null())
        .sort("extra_intake_per_year", descending=True)
        .unique("programme_code", keep="first")
    )
    per_institution = links.select(
        "programme_code", "institution_code", institution_intake="intake"
    ).unique(["programme_code", "institution_code"])
    split = binding.join(per_institution, on="programme_code").with_columns(
        intake_share=pl.col("institution_intake") / pl.col("intake"),
        programme_extra_intake_per_year=pl.col("extra_intake_per_year"),
    )
    scale = [
        (pl.col(f"extra_intake_per_year{s}") * pl.col("intake_share")).alias(
            f"extra_intake_per_year{s}"
        )
        for s in ("", "_lo_80", "_hi_80")
    ]
    split = split.with_columns(*scale, current_intake="institution_intake")
    by_year = _by_year(split, placements, year)
    capped = by_year.group_by("programme_code", "institution_code").agg(
        extra_intake_capped_total=pl.col("extra_intake_capped").sum(),
        placement_cap_per_year=pl.col("placement_cap").min(),
        missed_survivors=(
            (pl.col("extra_intake") - pl.col("extra_intake_capped")) * pl.col("survival")
        ).sum(),
    )
    table = _finish(split, capped, reference, year, target, probability)
    by_year = by_year.drop("survival")
    return Advice(
        table=table,
        by_year=by_year,
        gaps=gaps.with_columns(horizon_year=pl.lit(year, pl.Int64)),
        horizon_year=year,
        target=target if target == "median" else f"probability {probability:g}",
        origin=outlook.origin,
    )


def _by_year(split: pl.DataFrame, placements: pl.DataFrame | None, year: int) -> pl.DataFrame:
    """Extra intake per programme x institution x cohort year, capped by placements."""
    rows = split.select(
        "programme_code",
        "institution_code",
        "current_intake",
        "extra_intake_per_year",
        "completion",
        "entering_share",
        "yearly_retention",
        "nominal_years",
        cohort_year=pl.int_ranges(pl.col("first_cohort"), pl.col("last_cohort") + 1),
    ).explode("cohort_year")
    if placements is not None and placements.height:
        rows = rows.join(
            placements.rename({"year": "cohort_year"}),
            on=["programme_code", "institution_code", "cohort_year"],
            how="left",
        ).with_columns(
            placement_cap=(pl.col("placements") - pl.col("current_intake")).clip(0, None)
        )
    else:
        rows = rows.with_columns(placements=pl.lit(None, pl.Float64), placement_cap=None)
    return rows.select(
        "programme_code",
        "institution_code",
        "cohort_year",
        graduation_year=pl.col("cohort_year") + pl.col("nominal_years"),
        current_intake="current_intake",
        placements=pl.col("placements").cast(pl.Float64),
        placement_cap=pl.col("placement_cap").cast(pl.Float64),
        extra_intake="extra_intake_per_year",
        extra_intake_capped=pl.min_horizontal(
            "extra_intake_per_year", pl.col("placement_cap").fill_null(float("inf"))
        ),
        extra_graduates=pl.min_horizontal(
            "extra_intake_per_year", pl.col("placement_cap").fill_null(float("inf"))
        )
        * pl.col("completion"),
        survival=pl.col("completion")
        * pl.col("entering_share")
        * pl.col("yearly_retention")
        ** (year - pl.col("cohort_year") - pl.col("nominal_years") + ARRIVAL_OFFSET),
    ).sort("programme_code", "institution_code", "cohort_year")


def _finish(
    split: pl.DataFrame,
    capped: pl.DataFrame,
    reference: Reference,
    year: int,
    target: str,
    probability: float,
) -> pl.DataFrame:
    names = reference.programmes.select(
        "programme_code", programme_name="name", code_system="code_system"
    )
    institutions = reference.institutions.select("institution_code", institution_name="name")
    target_text = "median" if target == "median" else f"{probability:.0%} chance of no shortage"
    table = (
        split.join(capped, on=["programme_code", "institution_code"], how="left")
        .join(names, on="programme_code", how="left")
        .join(institutions, on="institution_code", how="left")
        .with_columns(
            horizon_year=pl.lit(year, pl.Int64),
            entry_factor=pl.col("entering_share") / pl.col("entry_share"),
            retention=pl.col("survival_sum") / pl.col("cohorts"),
            extra_intake_total=pl.col("extra_intake_per_year") * pl.col("cohorts"),
            extra_intake_pct=pl.col("extra_intake_per_year") / pl.col("current_intake"),
            extra_intake_capped_per_year=pl.col("extra_intake_capped_total") / pl.col("cohorts"),
            remaining_gap_persons=pl.col("missed_survivors"),
            needed_graduates=pl.col("needed_graduates") * pl.col("intake_share"),
        )
    )
    assumptions = pl.format(
        "gap {} persons ({}) in {} at {}; this programme's part {} of the extra {} coming "
        "from programmes; completion {}; entry share {} x regional entry factor {}; "
        "retention {} a year ({} on average until {}); cohorts {}-{} of a {}-year programme; "
        "{} of the programme's intake",
        pl.col("gap_persons").round(0),
        pl.lit(target_text),
        "profession_code",
        pl.lit(year),
        pl.col("weight").round(2),
        pl.col("profession_code"),
        pl.col("completion").round(2),
        pl.col("entry_share").round(2),
        pl.col("entry_factor").round(2),
        pl.col("yearly_retention").round(3),
        pl.col("retention").round(2),
        pl.lit(year),
        "first_cohort",
        "last_cohort",
        "nominal_years",
        pl.col("intake_share").round(2),
    )
    return (
        table.with_columns(assumptions=assumptions)
        .sort("extra_intake_per_year", descending=True)
        .with_row_index("rank", offset=1)
        .select(
            "rank",
            "programme_code",
            "programme_name",
            "code_system",
            "level",
            "institution_code",
            "institution_name",
            "profession_code",
            "horizon_year",
            "gap_persons",
            "needed_graduates",
            "completion",
            "entry_share",
            "entry_factor",
            "retention",
            "cohorts",
            "first_cohort",
            "last_cohort",
            "current_intake",
            "extra_intake_per_year",
            "extra_intake_per_year_lo_80",
            "extra_intake_per_year_hi_80",
            "programme_extra_intake_per_year",
            "extra_intake_pct",
            "placement_cap_per_year",
            "extra_intake_capped_per_year",
            "extra_intake_total",
            "extra_intake_capped_total",
            "remaining_gap_persons",
            "assumptions",
        )
    )


def write_advice(advice: Advice, path: Path) -> Path:
    """Write the ranked table to ``.csv`` or ``.xlsx`` (two sheets: advice and by cohort year)."""
    if path.suffix not in (".csv", ".xlsx"):
        raise AlignmentError(f"{path}: write .csv or .xlsx")
    with replacing(path) as temporary:
        if path.suffix == ".csv":
            write_csv(advice.table, temporary)
        else:
            import xlsxwriter

            with xlsxwriter.Workbook(temporary) as workbook:
                write_excel(advice.table, workbook, worksheet="advice", autofit=True)
                write_excel(advice.by_year, workbook, worksheet="by_cohort_year", autofit=True)
                write_excel(advice.gaps, workbook, worksheet="gaps", autofit=True)
    return path
