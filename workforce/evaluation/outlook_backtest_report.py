"""The outlook backtest's CSV, summaries and page (``docs/outlook-backtest.md``).

:func:`write_backtest` runs :func:`~workforce.evaluation.outlook_backtest.backtest_outlooks` and
writes ``outlook_backtest.csv`` (one row per origin x year x node, shortage in FTE), the live
interval calibration and the monthly rows it was learned from (:data:`MONTHLY_ROWS`) under the
data folder, and the Markdown page; every figure of the page is
computed here from the CSV's rows.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from workforce.evaluation.outlook_backtest import (
    BacktestResult,
    BacktestSettings,
    backtest_outlooks,
    store_outlooks,
)
from workforce.forecast.executor import ProgressCallback
from workforce.forecast.metrics import band_probability, coverage_p_value
from workforce.generator_manifest import describe_generated, generated_manifest
from workforce.markdown import markdown_table
from workforce.outlook.interval_calibration import CALIBRATION_FILE, LEVEL_NAMES
from workforce.outlook.reconcile import WILDCARD as AREA_NODE
from workforce.reference import load_reference
from workforce.store import write_frame, write_text

CSV_NAME = "outlook_backtest.csv"
TARGETS = {80: (0.70, 0.90), 95: (0.88, 0.99)}
"""Coverage an interval must reach at every year ahead, pooled over origins and series."""
INTERVALS = tuple(TARGETS)
LEVEL_TEXT = {"region": "Each region", "area": "The regions together", "profession": "Professions"}
TREND_MIN_YEARS = 2
SMALL_N = 15
"""The example of a small count the page explains coverage at (three regions, five origins)."""
REGIONAL_LEVELS = ("region", "area")
"""Each labour-market region, and the regions together where the data hold several."""


def yearly_rows(evaluated: pl.DataFrame) -> pl.DataFrame:
    """One row per origin x year ahead x node with a realised value: the CSV's rows."""
    return (
        evaluated.filter((pl.col("step") % 12 == 0) & pl.col("realised").is_not_null())
        .select(
            origin=pl.col("origin").dt.strftime("%Y-%m"),
            year=pl.col("month").dt.year(),
            horizon=(pl.col("step") // 12).cast(pl.Int64),
            level="level",
            node="node",
            projected="projected",
            realised="realised",
            lo_80="lo_80",
            hi_80="hi_80",
            lo_95="lo_95",
            hi_95="hi_95",
            p50="p50",
            raw_lo_80="raw_lo_80",
            raw_hi_80="raw_hi_80",
            raw_lo_95="raw_lo_95",
            raw_hi_95="raw_hi_95",
            projected_demand="demand",
            realised_demand="realised_demand",
            projected_supply="supply",
            realised_supply="realised_supply",
            projected_headcount="headcount",
            realised_headcount="realised_headcount",
            realised_supply_projected_hours="realised_supply_projected_hours",
        )
        .sort("origin", "horizon", pl.col("level").cast(pl.Enum(list(LEVEL_NAMES.values()))))
    )


def _inside(level: int, prefix: str = "") -> pl.Expr:
    return (pl.col("realised") >= pl.col(f"{prefix}lo_{level}")) & (
        pl.col("realised") <= pl.col(f"{prefix}hi_{level}")
    )


def coverage(rows: pl.DataFrame) -> pl.DataFrame:
    """Per level and year ahead: how often the realised shortage fell inside, calibrated and raw.

    ``width_ratio`` is the median calibrated 80 % width over the raw one; ``error_to_half_width``
    the median absolute point error over the calibrated 80 % half-width; ``p_80`` and ``p_95``
    how likely a coverage this far from nominal is by chance at that ``n``
    (:func:`~workforce.forecast.metrics.coverage_p_value`).
    """
    cover = (
        rows.group_by("level", "horizon")
        .agg(
            n=pl.len(),
            in_80=_inside(80).mean(),
            in_95=_inside(95).mean(),
            raw_in_80=_inside(80, "raw_").mean(),
            raw_in_95=_inside(95, "raw_").mean(),
            width_ratio=(
                (pl.col("hi_80") - pl.col("lo_80")) / (pl.col("raw_hi_80") - pl.col("raw_lo_80"))
            ).median(),
            error_to_half_width=(
                (pl.col("realised") - pl.col("projected")).abs()
                / ((pl.col("hi_80") - pl.col("lo_80")) / 2)
            ).median(),
        )
        .sort(pl.col("level").cast(pl.Enum(list(LEVEL_NAMES.values()))), "horizon")
    )
    return cover.with_columns(
        pl.Series(
            f"p_{lv}",
            [
                coverage_p_value(round(share * n), n, level=lv)
                for share, n in zip(cover[f"in_{lv}"], cover["n"], strict=True)
            ],
            dtype=pl.Float64,
        )
        for lv in INTERVALS
    )


def chance_of_every_band(cover: pl.DataFrame, level: str, interval: int) -> float:
    """The chance that a correct ``interval`` % interval of ``level`` lands inside its target
    band at every year ahead, at the number of values each year has (years independent)."""
    chance = 1.0
    for n in cover.filter(pl.col("level") == level)["n"]:
        chance *= band_probability(int(n), level=interval, band=TARGETS[interval])
    return chance


def chance_lines(cover: pl.DataFrame) -> list[str]:
    """What the per-year coverage targets can show at these counts: for each regional level
    and the professions, how often a correct interval would meet every year's band."""
    lines = []
    for level in (*REGIONAL_LEVELS, "profession"):
        at = cover.filter(pl.col("level") == level)
        if at.is_empty():
            continue
        counts = ", ".join(str(n) for n in at["n"])
        chances = " and ".join(
            f"{_chance(chance_of_every_band(cover, level, interval))} ({interval} % interval)"
            for interval in INTERVALS
        )
        lines.append(
            f"- {LEVEL_TEXT[level]} ({counts} values per year ahead): a correct interval meets "
            f"its band at every year ahead with a chance of {chances}."
        )
    return [
        "How much the per-year targets can tell at these counts (binomial, values independent):",
        "",
        *lines,
    ]


def _chance(value: float) -> str:
    if value < 0.001:
        return "below 0.1%"
    if value > 0.999:
        return "above 99.9%"
    return f"{value:.1%}"


def place_names(rows: pl.DataFrame) -> dict[str, str]:
    """A name per regional node, in the reference's order of regions: the labour-market
    region's, and "the N regions together" for the area node that several regions have."""
    regions = load_reference().municipalities.select("region_code", "region_name")
    names = dict(regions.unique(maintain_order=True).iter_rows())
    count = rows.filter(pl.col("level") == "region")["node"].n_unique()
    return {**names, AREA_NODE: f"the {count} regions together"}


def regional_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Each region, and the regions together where there are several, per origin and year:
    shortage projected and realised, and where the error came from (demand, supply headcount,
    hours per person); errors are projected - realised. ``place`` names the region."""
    regional = rows.filter(pl.col("level").is_in(REGIONAL_LEVELS))
    names = place_names(regional)
    order = {node: rank for rank, node in enumerate(names)}
    return (
        regional.with_columns(
            place=pl.col("node").replace_strict(names, default=pl.col("node")),
            error=pl.col("projected") / pl.col("realised") - 1,
            demand_error=pl.col("projected_demand") - pl.col("realised_demand"),
            headcount_error=-(
                pl.col("projected_supply") - pl.col("realised_supply_projected_hours")
            ),
            hours_error=-(pl.col("realised_supply_projected_hours") - pl.col("realised_supply")),
        )
        .with_columns(rank=pl.col("node").replace_strict(order, default=len(order)))
        .sort("rank", "origin", "horizon")
        .drop("rank")
    )


def profession_errors(rows: pl.DataFrame) -> pl.DataFrame:
    """Per origin and year ahead: median and largest |projected / realised - 1| of professions."""
    return (
        rows.filter((pl.col("level") == "profession") & (pl.col("realised") > 0))
        .with_columns(error=(pl.col("projected") / pl.col("realised") - 1).abs())
        .group_by("origin", "horizon")
        .agg(median_profession_error=pl.median("error"), max_profession_error=pl.max("error"))
        .sort("origin", "horizon")
    )


def origin_summary(rows: pl.DataFrame, *, at_horizon: int = 4) -> pl.DataFrame:
    """Per origin and region (and the regions together): the direction of the shortage
    (projected and realised, first to last known year) and the errors ``at_horizon`` years
    ahead (null when not yet known)."""
    regional = regional_rows(rows)
    places = regional.select("node", "place").unique(maintain_order=True)
    trend = (
        regional.group_by("origin", "node")
        .agg(
            years=pl.len(),
            projected_change=pl.col("projected").last() - pl.col("projected").first(),
            realised_change=pl.col("realised").last() - pl.col("realised").first(),
        )
        .with_columns(
            same_direction=pl.when(pl.col("years") >= TREND_MIN_YEARS).then(
                pl.col("projected_change").sign() == pl.col("realised_change").sign()
            )
        )
    )
    later = regional.filter(pl.col("horizon") == at_horizon).select("origin", "node", "error")
    professions = profession_errors(rows).filter(pl.col("horizon") == at_horizon)
    return (
        places.join(trend, on="node", maintain_order="left")
        .join(later, on=["origin", "node"], how="left")
        .join(professions.select("origin", "median_profession_error"), on="origin", how="left")
        .sort("origin", maintain_order=True)
    )


def _span(values: pl.Series, signed: bool = False) -> str:
    values = values.drop_nulls()
    if values.is_empty():
        return "not yet known"
    low, high = float(values.min()), float(values.max())  # type: ignore[arg-type]
    if round(low, 2) == round(high, 2):
        return _percent(low, signed)
    return f"{_percent(low, signed)} to {_percent(high, signed)}"


def summary_lines(rows: pl.DataFrame) -> list[str]:
    """The page's summary: point errors and coverage side by side (the README copies these);
    a line per region, and one for the regions together where there are several."""
    regional = regional_rows(rows)
    origins = origin_summary(rows)
    cover = coverage(rows)
    lines = [
        f"- Shortage per region, projected / realised - 1, from {origins['origin'].n_unique()} "
        "December origins:"
    ]
    for (node,), place in regional.group_by("node", maintain_order=True):
        errors = []
        for horizon in (1, 4):
            at = place.filter(pl.col("horizon") == horizon)
            errors.append(
                f"{_span(at['error'], signed=True)} {horizon} year{'s' * (horizon > 1)} "
                f"ahead ({at.height} origins)"
            )
        judged = origins.filter((pl.col("node") == node) & pl.col("same_direction").is_not_null())
        right = int(judged["same_direction"].sum())
        lines.append(
            f"  - {place['place'][0]}: {errors[0]}; {errors[1]}. Direction of the trend right "
            f"at {right} of {judged.height} origins."
        )
    professions = cover.filter(pl.col("level") == "profession")
    horizons = f"{professions['horizon'].min()!s}-{professions['horizon'].max()!s}"
    inside = []
    for level in REGIONAL_LEVELS:
        at = cover.filter(pl.col("level") == level)
        if at.is_empty():
            continue
        counts = [int((at[f"in_{lv}"] * at["n"]).round(0).sum()) for lv in (80, 95)]
        who = "the regions together" if level == "area" else "the regions"
        inside.append(
            f"{who} {counts[0]} of {int(at['n'].sum())} inside their 80 % interval, "
            f"{counts[1]} inside their 95 %"
        )
    return [
        *lines,
        f"- Median profession error 4 years ahead: {_span(origins['median_profession_error'])}.",
        f"- Calibrated intervals, per year ahead {horizons} pooled over origins: professions' "
        f"realised shortage inside the 80 % interval {_span(professions['in_80'])} of the "
        f"time (raw {_span(professions['raw_in_80'])}), inside the 95 % "
        f"{_span(professions['in_95'])} (raw {_span(professions['raw_in_95'])}); "
        + "; ".join(inside)
        + ".",
    ]


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.0%}" if signed else f"{value:.0%}"


def _percent_expr(column: str) -> pl.Expr:
    """A share as a whole percentage ("n/a" where missing), for a Markdown table."""
    value = (pl.col(column) * 100).round(0).cast(pl.Int64).cast(pl.String) + "%"
    return pl.when(pl.col(column).is_null()).then(pl.lit("n/a")).otherwise(value)


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def markdown(
    result: BacktestResult,
    rows: pl.DataFrame,
    settings: BacktestSettings,
    *,
    seconds: float,
    command: str,
    data: str = "the data folder",
) -> str:
    """The backtest page: all origins, the region's errors, coverage per level and year ahead.

    ``data`` says what the marts hold ("the generated region (seed 42, AM13)").
    """
    origins = ", ".join(f"{o:%Y-%m}" for o in result.evaluated_origins)
    calibration_only = [o for o in result.origins if o < result.evaluated_origins[0]]
    regional = regional_rows(rows)
    summary = origin_summary(rows)
    cover = coverage(rows)
    lines = [
        "# Outlook backtest",
        "",
        f"Generated by `{command}`"
        + (
            " (`--reuse`: calibrated and scored again from the outlooks a previous run stored)"
            if result.provenance.get("reused")
            else f" in {seconds:,.0f} s (CPU time)"
        )
        + f" on the marts of {data}. "
        f"Demand engine: {settings.engine_name}; {settings.paths} joint sample paths. "
        f"Outlooks made by code {result.provenance.get('code')} on marts build "
        f"{result.provenance.get('marts_run')}.",
        "",
        f"Evaluated origins: {origins} (each December, up to {settings.years} years ahead as "
        "far as the marts reach). Everything was estimated from data up to the origin: demand "
        "forecasts, leaving model, supply inputs. "
        + (
            "Origins "
            + ", ".join(f"{o:%Y-%m}" for o in calibration_only)
            + " ran only to calibrate the first evaluated origins' intervals. "
            if calibration_only
            else ""
        )
        + f"The rows are in `{CSV_NAME}`, one per origin x year x node.",
        "",
        "**One quantity on both sides.** The shortage is required FTE (filled plus open "
        "vacancy FTE) minus the FTE of the staff employed at the end of the month (contract "
        "hours / 36), projected and realised alike (`workforce.outlook.shortage.shortage_fte`). "
        "Realised, that equals the open vacancy FTE. The supply error splits into headcount "
        "and hours (realised headcount at the projected FTE per person); the rest of the "
        "shortage error is demand.",
        "",
        "**Intervals.** The joint simulation's raw intervals are scaled per level and year "
        "ahead by factors learned from earlier origins' errors on outcomes known at the "
        "evaluated origin, never on its own outcome (conformal quantiles of the error over "
        "the half-width; a level with fewer than ten node x origin pairs, such as a single "
        "region or the regions together, takes the factors of all levels pooled; years no "
        "earlier origin reaches "
        "keep the last known year's factor).",
        "",
        "## Summary",
        "",
        *summary_lines(rows),
        "",
        "## Each region per origin",
        "",
        markdown_table(
            pl.DataFrame(
                [
                    {
                        "origin": row["origin"],
                        "region": row["place"],
                        "trend projected": f"{row['projected_change']:+,.0f}",
                        "trend realised": f"{row['realised_change']:+,.0f}",
                        "same direction": {True: "yes", False: "**no**", None: "n/a"}[
                            row["same_direction"]
                        ],
                        "error at 4 years": _percent(row["error"], signed=True),
                        "median profession error at 4 years": _percent(
                            row["median_profession_error"]
                        ),
                    }
                    for row in summary.iter_rows(named=True)
                ]
            )
        ),
        "",
        "Trend: change of the shortage (FTE) from the first to the last known year. "
        "Error: projected / realised - 1.",
        "",
        "## Each region per origin and year",
        "",
        markdown_table(
            pl.DataFrame(
                [
                    {
                        "region": row["place"],
                        "origin": row["origin"],
                        "year": str(row["year"]),
                        "realised FTE": _number(row["realised"]),
                        "projected": _number(row["projected"]),
                        "error": _percent(row["error"], signed=True),
                        "80 % interval": f"{_number(row['lo_80'])} to {_number(row['hi_80'])}",
                        "95 % interval": f"{_number(row['lo_95'])} to {_number(row['hi_95'])}",
                        "demand error": f"{row['demand_error']:+,.0f}",
                        "headcount error": f"{row['headcount_error']:+,.0f}",
                        "hours error": f"{row['hours_error']:+,.0f}",
                    }
                    for row in regional.iter_rows(named=True)
                ]
            )
        ),
        "",
        "Error parts in FTE of shortage, projected minus realised: demand forecast, supply "
        "headcount (more projected staff lowers the shortage) and hours per person; they add "
        "up to projected minus realised shortage.",
        "",
        "## Interval coverage per level and year ahead",
        "",
        f"Targets: 80 % interval {TARGETS[80][0]:.0%}-{TARGETS[80][1]:.0%}, 95 % interval "
        f"{TARGETS[95][0]:.0%}-{TARGETS[95][1]:.0%}, pooled over origins and nodes. "
        "n is the number of origin x node pairs; a region, or the regions together, is one "
        "node, so its figures rest on a handful of origins. p is how likely a coverage at "
        "least this far from 80 % (95 %) would be by chance with n values if the interval were "
        "right (Kupiec's test): below 0.05, chance hardly explains it. At small n a calibrated "
        f"interval often lands outside the target band ({SMALL_N} values and a right 95 % "
        f"interval: all {SMALL_N} inside happens {0.95**SMALL_N:.0%} of the time), and values "
        "of one origin move together, so p is, if anything, too low.",
        "",
        markdown_table(
            cover.select(
                "level",
                pl.col("horizon").cast(pl.String).alias("years ahead"),
                pl.col("n").cast(pl.String),
                *(
                    _percent_expr(column).alias(label)
                    for column, label in (
                        ("in_80", "in 80 %"),
                        ("in_95", "in 95 %"),
                        ("raw_in_80", "raw in 80 %"),
                        ("raw_in_95", "raw in 95 %"),
                    )
                ),
                *(
                    pl.col(f"p_{lv}")
                    .map_elements(lambda p: f"{p:.2f}", return_dtype=pl.String)
                    .alias(f"p {lv} %")
                    for lv in INTERVALS
                ),
                pl.col("width_ratio").alias("width / raw"),
                pl.col("error_to_half_width").alias("median error / half-width"),
            ),
            digits=2,
        ),
    ]
    lines += ["", *chance_lines(cover)]
    live = result.live_calibration
    lines += [
        "",
        f"`workforce forecast` applies the factors learned from every origin up to "
        f"{live.learned_until:%Y-%m} (`<data>/{CALIBRATION_FILE.as_posix()}`).",
    ]
    return "\n".join(lines) + "\n"


def write_backtest(
    data_dir: Path,
    out: Path,
    settings: BacktestSettings,
    *,
    page: Path | None,
    command: str = "workforce report outlook-backtest",
    reuse: bool = False,
    progress: ProgressCallback | None = None,
) -> str:
    """Run the backtest; write the CSV to ``out``, the live calibration and the page.

    Returns a short summary for the terminal.
    """
    started = time.process_time()
    result = backtest_outlooks(data_dir, settings, reuse=reuse, progress=progress)
    rows = yearly_rows(result.evaluated)
    out.mkdir(parents=True, exist_ok=True)
    write_frame(rows, out / CSV_NAME)
    store_outlooks(data_dir, result)
    result.live_calibration.save(data_dir / CALIBRATION_FILE)
    manifest = generated_manifest(data_dir)
    text = markdown(
        result,
        rows,
        settings,
        seconds=time.process_time() - started,
        command=command,
        data=describe_generated(manifest) if manifest else "the data folder",
    )
    if page is not None:
        write_text(text, page)
    cover = coverage(rows).filter(pl.col("level").is_in(["region", "profession"]))
    lines = [f"Outlook backtest from {len(result.evaluated_origins)} origins: {out / CSV_NAME}"]
    for row in cover.iter_rows(named=True):
        lines.append(
            f"  {row['level']:<10} {row['horizon']} years ahead: {row['in_80']:.0%} in 80 %, "
            f"{row['in_95']:.0%} in 95 % (n={row['n']}; by chance: p {row['p_80']:.2f}, "
            f"{row['p_95']:.2f})"
        )
    return "\n".join(lines)
