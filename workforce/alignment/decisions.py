"""The decision log: scenarios and intake advice saved with the forecast run they came from.

A decision lives in ``models/<run>/decisions/<created>-<kind>-<name>/``:

- ``decision.json``: kind (``scenario`` or ``alignment``), name, version, author, date,
  rationale, the levers (or the advice's target and horizon), the run and origin, when;
- ``scenario.toml``: the scenario file as it was (scenarios only);
- ``expected_graduates.parquet``: graduates expected per programme x institution x graduation
  year under the decision;
- ``expected_headcount.parquet``: headcount expected per profession in each projected year's
  reported month (with its 80 % interval), scenarios only;
- ``expected_shortage.parquet`` (scenarios) or ``advice.csv`` + ``by_cohort_year.parquet``
  (alignment): the outcome as it was expected.

:func:`review_decision` puts what was expected next to what the current marts say happened
("expected 400 graduates, 352 came").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from workforce.csv_safety import write_csv
from workforce.outlook.outlook import Outlook
from workforce.reference import Reference, load_reference
from workforce.scenario.levers import to_levers
from workforce.scenario.spec import Scenario
from workforce.store import Store
from workforce.version import code_version

DECISIONS = "decisions"


class DecisionError(ValueError):
    """No forecast run or decision where one was expected."""


def latest_run(models_dir: Path, origin: dt.date | None = None) -> Path:
    """The newest run folder in ``models_dir`` (run ids are UTC timestamps).

    With ``origin``, the newest run whose outlook has that origin (runs that record no
    outlook count as matching), so a decision lands with the forecast it was made from.
    """
    runs = sorted(p.parent for p in models_dir.glob("*/run.json"))
    if not runs:
        raise DecisionError(f"{models_dir}: no forecast run; run `workforce forecast` first")
    if origin is not None:
        matching = [run for run in runs if _run_origin(run) in (None, origin.isoformat())]
        if not matching:
            raise DecisionError(
                f"{models_dir}: no forecast run with origin {origin:%Y-%m}; the outlook and "
                "the registry do not belong together (check --models-dir)"
            )
        runs = matching
    return runs[-1]


def run_of(outlook_metadata: dict[str, object], models_dir: Path, origin: dt.date) -> Path:
    """The registry run an outlook was made in (its ``run_id``), else :func:`latest_run`."""
    run_id = outlook_metadata.get("run_id")
    if isinstance(run_id, str) and (models_dir / run_id / "run.json").is_file():
        return models_dir / run_id
    return latest_run(models_dir, origin=origin)


def _run_origin(run: Path) -> str | None:
    summary = run / "outlook.json"
    if not summary.is_file():
        return None
    origin = json.loads(summary.read_text()).get("origin")
    return str(origin) if origin else None


def _folder(run_folder: Path, kind: str, name: str) -> Path:
    created = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    folder = run_folder / DECISIONS / f"{created}-{kind}-{safe}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def _write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, default=str) + "\n")


def expected_graduates(
    outlook: Outlook, scenario: Scenario | None = None, reference: Reference | None = None
) -> pl.DataFrame:
    """Graduates per programme x institution x graduation year, with a scenario's levers.

    Counts every graduate of a cohort in its nominal graduation year, as the supply projection
    and :func:`workforce.supply.inputs.graduates_by_year` do.
    """
    frame = outlook.supply_inputs.cohorts.frame
    graduates = frame["graduates"].to_numpy().astype(float)
    if scenario is not None:
        levers, _ = to_levers(scenario, outlook.supply_inputs, reference)
        dropouts = frame["dropouts"].to_numpy().astype(float)
        if levers.intake_factor is not None:
            scale = np.where(frame["future"].to_numpy(), levers.intake_factor, 1.0)
            graduates, dropouts = graduates * scale, dropouts * scale
        if levers.dropout_reduction is not None:
            graduates = graduates + dropouts * levers.dropout_reduction
    return (
        frame.with_columns(expected_graduates=graduates)
        .group_by("programme_code", "institution_code", "graduation_year")
        .agg(pl.sum("expected_graduates"))
        .sort("programme_code", "institution_code", "graduation_year")
    )


def expected_headcount(supply: pl.DataFrame) -> pl.DataFrame:
    """Headcount per profession and projected year (with 80 % interval) from a supply mart."""
    return supply.filter(
        (pl.col("level") == "region_code/profession_code") & (pl.col("resolution") == "year")
    ).select(
        "region_code",
        "profession_code",
        "month",
        year=pl.col("month").dt.year().cast(pl.Int64),
        expected_headcount="headcount",
        expected_headcount_lo_80="headcount_lo_80",
        expected_headcount_hi_80="headcount_hi_80",
    )


def _run_meta(run_folder: Path, outlook: Outlook) -> dict[str, Any]:
    return {
        "run_id": run_folder.name,
        "origin": outlook.origin.isoformat(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
    }


def save_scenario_decision(
    run_folder: Path,
    outlook: Outlook,
    scenario: Scenario,
    *,
    marts: dict[str, pl.DataFrame],
    reference: Reference | None = None,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Save a scenario with its expected outcomes in ``run_folder``; return its folder."""
    folder = _folder(run_folder, "scenario", scenario.name)
    _write_json(
        folder / "decision.json",
        {
            "kind": "scenario",
            "name": scenario.name,
            "version": scenario.version,
            "author": scenario.author,
            "date": scenario.date.isoformat(),
            "rationale": scenario.rationale,
            "source": str(scenario.source) if scenario.source else None,
            "levers": [
                {
                    "kind": lever.kind,
                    "value": lever.value,
                    "label": lever.label,
                    "scope": {k: list(v) for k, v in vars(lever.scope).items() if v},
                }
                for lever in scenario.levers
            ],
            "settings": settings or {},
            **_run_meta(run_folder, outlook),
        },
    )
    if scenario.text:
        (folder / "scenario.toml").write_text(scenario.text)
    expected_graduates(outlook, scenario, reference).write_parquet(
        folder / "expected_graduates.parquet"
    )
    expected_headcount(marts["supply"]).write_parquet(folder / "expected_headcount.parquet")
    marts["shortage"].write_parquet(folder / "expected_shortage.parquet")
    return folder


def save_alignment_decision(
    run_folder: Path,
    outlook: Outlook,
    advice: Any,
    *,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Save intake advice (:class:`workforce.alignment.Advice`) with the graduates it expects."""
    folder = _folder(run_folder, "alignment", f"h{advice.horizon_year}")
    _write_json(
        folder / "decision.json",
        {
            "kind": "alignment",
            "name": f"intake advice for {advice.horizon_year}",
            "horizon_year": advice.horizon_year,
            "target": advice.target,
            "settings": settings or {},
            **_run_meta(run_folder, outlook),
        },
    )
    write_csv(advice.table, folder / "advice.csv")
    advice.by_year.write_parquet(folder / "by_cohort_year.parquet")
    extra = advice.by_year.group_by("programme_code", "institution_code", "graduation_year").agg(
        extra=pl.col("extra_graduates").sum()
    )
    keys = ["programme_code", "institution_code", "graduation_year"]
    expected_graduates(outlook).join(extra, on=keys, how="full", coalesce=True).select(
        *keys,
        expected_graduates=pl.col("expected_graduates").fill_null(0.0)
        + pl.col("extra").fill_null(0.0),
    ).sort(keys).write_parquet(folder / "expected_graduates.parquet")
    return folder


def list_decisions(models_dir: Path) -> pl.DataFrame:
    """Every saved decision under ``models_dir``: run, folder, kind, name, created, origin."""
    rows = []
    for path in sorted(models_dir.glob(f"*/{DECISIONS}/*/decision.json")):
        meta = json.loads(path.read_text())
        rows.append(
            {
                "run_id": meta.get("run_id", path.parents[2].name),
                "folder": str(path.parent),
                "kind": meta.get("kind"),
                "name": meta.get("name"),
                "created": meta.get("created"),
                "origin": meta.get("origin"),
            }
        )
    schema = dict.fromkeys(("run_id", "folder", "kind", "name", "created", "origin"), pl.String)
    return pl.DataFrame(rows, schema=schema)


def actual_graduates(pipeline: pl.DataFrame, reference: Reference | None = None) -> pl.DataFrame:
    """Graduates that came, per programme x institution x nominal graduation year.

    Only finished cohorts count (``expected_graduation_year`` is null); a year with a cohort
    still running has ``complete`` false.
    """
    nominal = (reference or load_reference()).programmes.select("programme_code", "nominal_years")
    return (
        pipeline.join(nominal, on="programme_code", how="inner")
        .with_columns(
            graduation_year=(pl.col("cohort_year") + pl.col("nominal_years")).cast(pl.Int64)
        )
        .group_by("programme_code", "institution_code", "graduation_year")
        .agg(
            actual_graduates=pl.col("graduates")
            .filter(pl.col("expected_graduation_year").is_null())
            .sum()
            .cast(pl.Float64),
            complete=pl.col("expected_graduation_year").is_null().all(),
        )
    )


def actual_headcount(workforce_monthly: pl.DataFrame) -> pl.DataFrame:
    """Headcount per profession in each month the marts cover."""
    return workforce_monthly.group_by("profession_code", "month").agg(
        actual_headcount=pl.col("headcount").sum().cast(pl.Float64)
    )


def compare_expected(
    expected_graduates: pl.DataFrame,
    actual_graduates: pl.DataFrame,
    expected_headcount: pl.DataFrame | None = None,
    actual_headcount: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Expected next to actual: graduates per programme x year, headcount per profession x year.

    Columns: ``measure`` (graduates | headcount), ``key`` (programme or profession), ``year``,
    ``expected``, ``expected_lo_80``, ``expected_hi_80`` (headcount only), ``actual`` (null
    while not known), ``difference`` (actual minus expected), ``ratio`` (actual over expected),
    ``within_80``.
    """
    graduates = (
        expected_graduates.group_by(key="programme_code", year="graduation_year")
        .agg(expected=pl.col("expected_graduates").sum())
        .join(
            actual_graduates.group_by(key="programme_code", year="graduation_year").agg(
                actual=pl.col("actual_graduates").sum(), complete=pl.col("complete").all()
            ),
            on=["key", "year"],
            how="left",
        )
        .select(
            measure=pl.lit("graduates"),
            key="key",
            year=pl.col("year").cast(pl.Int64),
            expected="expected",
            expected_lo_80=pl.lit(None, pl.Float64),
            expected_hi_80=pl.lit(None, pl.Float64),
            actual=pl.when(pl.col("complete")).then(pl.col("actual")),
        )
    )
    frames = [graduates]
    if expected_headcount is not None and actual_headcount is not None:
        frames.append(
            expected_headcount.join(
                actual_headcount, on=["profession_code", "month"], how="left"
            ).select(
                measure=pl.lit("headcount"),
                key="profession_code",
                year="year",
                expected="expected_headcount",
                expected_lo_80="expected_headcount_lo_80",
                expected_hi_80="expected_headcount_hi_80",
                actual="actual_headcount",
            )
        )
    return (
        pl.concat(frames)
        .with_columns(
            difference=pl.col("actual") - pl.col("expected"),
            ratio=pl.when(pl.col("expected") > 0).then(pl.col("actual") / pl.col("expected")),
            within_80=pl.when(pl.col("expected_lo_80").is_not_null()).then(
                pl.col("actual").is_between("expected_lo_80", "expected_hi_80")
            ),
        )
        .sort("measure", "key", "year")
    )


def review_decision(folder: Path, data_dir: Path) -> pl.DataFrame:
    """What a saved decision expected next to what the marts in ``data_dir`` say came."""
    if not (folder / "decision.json").is_file():
        raise DecisionError(f"{folder}: not a saved decision (no decision.json)")
    marts = Store(data_dir).marts
    for name in ("education_pipeline", "workforce_monthly"):
        if not (marts / f"{name}.parquet").is_file():
            raise DecisionError(f"{marts / name}.parquet: not found; run `workforce build` first")
    pipeline = pl.read_parquet(marts / "education_pipeline.parquet")
    headcount_file = folder / "expected_headcount.parquet"
    expected_heads = pl.read_parquet(headcount_file) if headcount_file.exists() else None
    actual_heads = None
    if expected_heads is not None:
        actual_heads = actual_headcount(
            pl.read_parquet(
                marts / "workforce_monthly.parquet",
                columns=["month", "profession_code", "headcount"],
            )
        )
    return compare_expected(
        pl.read_parquet(folder / "expected_graduates.parquet"),
        actual_graduates(pipeline),
        expected_heads,
        actual_heads,
    )


def describe_review(review: pl.DataFrame, limit: int = 10) -> list[str]:
    """Readable lines for the known outcomes: 'programme 34560, 2026: expected 400, 352 came'."""
    known = review.filter(pl.col("actual").is_not_null()).sort(
        pl.col("difference").abs(), descending=True
    )
    lines = []
    for row in known.head(limit).iter_rows(named=True):
        noun = "graduates" if row["measure"] == "graduates" else "people working"
        verb = "came" if row["measure"] == "graduates" else "were there"
        lines.append(
            f"{row['measure']} {row['key']}, {row['year']}: expected {row['expected']:,.0f} "
            f"{noun}, {row['actual']:,.0f} {verb}"
        )
    return lines
