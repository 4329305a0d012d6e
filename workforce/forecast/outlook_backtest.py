"""Backtest of the outlook from a past origin: ``python -m workforce.forecast.outlook_backtest``.

Everything is estimated from data up to the origin (December 2021 by default): the demand
forecasts of every node, the leaving model, the supply inputs. The projection is then compared
with what the marts show afterwards:

- supply: projected against actual headcount, per region and profession, and how often each
  series' actual headcount falls in its 80 % interval;
- shortage: the realised shortage is the open vacancy FTE (required minus filled FTE), so the
  shortage intervals of every series can be scored for coverage against it.

Writes ``docs/outlook-backtest.md``; the figures of that page come from this command only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import polars as pl

from workforce.forecast.frames import Frequency, check_input
from workforce.forecast.outlook import KEYS, hierarchy_of, node_history, prepare_outlook
from workforce.forecast.pipeline import EngineSettings, baseline_settings
from workforce.forecast.run import run_engine
from workforce.reference import load_reference
from workforce.store import Store

LEVEL_BOTTOM = "region_code/sector_code/profession_code"


def backtest_outlook(
    data_dir: Path, origin: dt.date, *, paths: int = 500, baselines_only: bool = False
) -> dict[str, pl.DataFrame]:
    """Score an outlook made at ``origin`` against the marts after it, per year-end."""
    store = Store(data_dir)
    marts = store.marts
    demand = store.read_mart("demand")
    last = demand["month"].max()
    assert isinstance(last, dt.date)
    months = (last.year - origin.year) * 12 + last.month - origin.month
    if months < 12:
        raise ValueError(f"the marts end {last:%Y-%m}: choose an origin a year or more before")
    history = node_history(demand.filter(pl.col("month") <= origin), hierarchy_of(demand))
    frame, _ = check_input(history, source=str(marts), frequency=Frequency.month, min_length=32)
    settings = (
        baseline_settings(months)
        if baselines_only
        else EngineSettings(horizon=months, backtest_horizon=12, folds=2, keep_prophet=False)
    )
    base = run_engine(frame, Frequency.month, settings).forecasts
    outlook = prepare_outlook(marts, base, load_reference(), months=months, origin=origin)
    result = outlook.compute(paths=paths)
    actual = demand.with_columns(
        unique_id=pl.concat_str(KEYS, separator="/"),
        shortage=pl.col("required_fte") - pl.col("filled_fte"),
    )
    ids = outlook.supply_inputs.series.select("unique_id", "profession_code")
    rows, regions = [], []
    for step, month in enumerate(result.months):
        if month.month != 12:
            continue
        observed = ids.join(
            actual.filter(pl.col("month") == month).select("unique_id", "headcount", "shortage"),
            on="unique_id",
            how="left",
        ).with_columns(pl.col("headcount", "shortage").fill_null(0))
        headcount = result.supply.headcount[:, :, step]
        shortage = result.shortage_fte_paths[:, :, step]
        region = shortage.sum(axis=1)
        regions.append(
            {
                "year": month.year,
                "region_lo_80": float(np.quantile(region, 0.1)),
                "region_hi_80": float(np.quantile(region, 0.9)),
            }
        )
        rows.append(
            observed.with_columns(
                year=pl.lit(month.year),
                projected=result.supply.mean["headcount"][:, step],
                supply_lo_80=np.quantile(headcount, 0.1, axis=0),
                supply_hi_80=np.quantile(headcount, 0.9, axis=0),
                shortage_mean=shortage.mean(axis=0),
                shortage_lo_80=np.quantile(shortage, 0.1, axis=0),
                shortage_hi_80=np.quantile(shortage, 0.9, axis=0),
                shortage_lo_95=np.quantile(shortage, 0.025, axis=0),
                shortage_hi_95=np.quantile(shortage, 0.975, axis=0),
                demand_mean=result.demand_mean[:, step],
            )
        )
    series = pl.concat(rows)
    inside = {
        level: (pl.col("shortage") >= pl.col(f"shortage_lo_{level}"))
        & (pl.col("shortage") <= pl.col(f"shortage_hi_{level}"))
        for level in (80, 95)
    }
    by_year = (
        series.group_by("year")
        .agg(
            actual_headcount=pl.sum("headcount"),
            projected_headcount=pl.sum("projected").round(0),
            supply_coverage_80=(
                (pl.col("headcount") >= pl.col("supply_lo_80"))
                & (pl.col("headcount") <= pl.col("supply_hi_80"))
            ).mean(),
            actual_shortage_fte=pl.sum("shortage").round(0),
            forecast_shortage_fte=pl.sum("shortage_mean").round(0),
            shortage_coverage_80=inside[80].mean(),
            shortage_coverage_95=inside[95].mean(),
        )
        .with_columns(supply_error=(pl.col("projected_headcount") / pl.col("actual_headcount") - 1))
        .sort("year")
    )
    professions = (
        series.group_by("year", "profession_code")
        .agg(pl.sum("headcount"), pl.sum("projected"))
        .group_by("year")
        .agg(
            median_profession_error=(pl.col("projected") / pl.col("headcount") - 1).abs().median(),
            max_profession_error=(pl.col("projected") / pl.col("headcount") - 1).abs().max(),
        )
        .sort("year")
    )
    report = by_year.join(professions, on="year").join(pl.DataFrame(regions), on="year")
    return {"by_year": report, "series": series}


def markdown(report: pl.DataFrame, origin: dt.date, seconds: float, *, command: str) -> str:
    """The backtest page."""
    lines = [
        "# Outlook backtest",
        "",
        f"Generated by `{command}` in {seconds:.0f} s. Origin: {origin:%B %Y}; everything was "
        "estimated from data up to then and compared with the marts afterwards (seed-42 "
        "generated region unless the data folder holds other data).",
        "",
        "Supply is the projected headcount; its error is projected / actual - 1 for the "
        "region and per profession (median and worst). Coverage is the share of the "
        "region x sector x profession series whose actual value lies in the interval. The "
        "realised shortage is the open vacancy FTE (required minus filled FTE).",
        "",
        "| year | actual headcount | projected | error | median profession error "
        "| worst profession | supply in 80 % | actual shortage FTE | forecast | region 80 % "
        "| series shortage in 80 % | in 95 % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in report.iter_rows(named=True):
        lines.append(
            f"| {row['year']} | {row['actual_headcount']:,} | {row['projected_headcount']:,.0f} "
            f"| {row['supply_error']:+.1%} | {row['median_profession_error']:.1%} "
            f"| {row['max_profession_error']:.1%} | {row['supply_coverage_80']:.0%} "
            f"| {row['actual_shortage_fte']:,.0f} | {row['forecast_shortage_fte']:,.0f} "
            f"| {row['region_lo_80']:,.0f} to {row['region_hi_80']:,.0f} "
            f"| {row['shortage_coverage_80']:.0%} | {row['shortage_coverage_95']:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--origin", default="2021-12", help="YYYY-MM")
    parser.add_argument("--out", type=Path, default=Path("docs/outlook-backtest.md"))
    parser.add_argument("--baselines-only", action="store_true", help="Engine without Prophet.")
    args = parser.parse_args(argv)
    origin = dt.date.fromisoformat(f"{args.origin}-01")
    if not Store(args.data_dir).mart_path("demand").exists():
        raise SystemExit(
            f"{Store(args.data_dir).marts}: no marts; run `make run` or `workforce build`"
        )
    started = time.perf_counter()
    report = backtest_outlook(args.data_dir, origin, baselines_only=args.baselines_only)
    command = "python -m workforce.forecast.outlook_backtest" + (
        " --baselines-only" if args.baselines_only else ""
    )
    page = markdown(report["by_year"], origin, time.perf_counter() - started, command=command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page)
    print(page)


if __name__ == "__main__":
    main()
