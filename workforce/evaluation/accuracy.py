"""Real-data accuracy report: the engine against each of its candidates, set by set.

``workforce report accuracy`` backtests the engine on every evaluation set of
:mod:`workforce.evaluation.real_data`, writes ``docs/accuracy.md`` and each set's series as a
long CSV, so that ``workforce backtest --input data/accuracy/SET.csv``
reproduces a set's figures. The reference for each set is the single candidate with the lowest
MASE on that set, picked after the fact: a bar no rule blind to the test years can be sure to
clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from workforce.csv_safety import write_csv
from workforce.evaluation.real_data import EVALUATION_SETS, EvaluationSet
from workforce.forecast.backtest import average_over_series
from workforce.forecast.engine_run import EngineSettings, run_engine
from workforce.forecast.executor import ProgressCallback
from workforce.forecast.frames import check_input
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.registry import markdown_table

COLUMNS = ("model", "series", "mase", "smape", "rmsse", "bias", "coverage_80", "coverage_95")
REFERENCE_EXCLUDED = ("chosen", "prophet_default")
"""Models that are not single candidates of the engine, so never the after-the-fact reference."""
TARGET_RATIO = 1.02
TARGET_GAIN_OVER_NAIVE = 0.05
TARGET_COVERAGE = {80: (0.75, 0.85), 95: (0.90, 0.98)}


@dataclass(frozen=True)
class SetResult:
    """One evaluation set's metrics per series and model, and the engine's final choices.

    ``folds`` holds every model's scores per series and outer fold; ``weights`` each series'
    final weights (``unique_id, model, weight``); ``inner`` each series' inner MASE per
    candidate at the last origin (``unique_id, model, inner_mase``).
    """

    evaluation_set: EvaluationSet
    metrics: pl.DataFrame
    choices: pl.DataFrame
    folds: pl.DataFrame = field(default_factory=pl.DataFrame)
    weights: pl.DataFrame = field(default_factory=pl.DataFrame)
    inner: pl.DataFrame = field(default_factory=pl.DataFrame)
    steps: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Interval coverage per model and step ahead, averaged over the set's series."""


@dataclass(frozen=True)
class Verdict:
    """The engine against the set's naive forecast and its best single candidate."""

    engine: float
    naive: float
    best_model: str
    best: float
    coverage_80: float
    coverage_95: float

    @property
    def ratio(self) -> float:
        """Engine MASE over the best single candidate's (1.02 = 2 % worse)."""
        return self.engine / self.best

    @property
    def gain_over_naive(self) -> float:
        """Relative MASE reduction against naive (0.05 = 5 % lower)."""
        return 1 - self.engine / self.naive

    def sentence(self) -> str:
        """The report's summary line, which :mod:`workforce.docs_gen.readme_figures` shows."""
        low80, high80 = TARGET_COVERAGE[80]
        return (
            f"Engine MASE {self.engine:.3f}: {self.gain_over_naive:+.1%} versus naive "
            f"({self.naive:.3f}), {1 - self.ratio:+.1%} versus the best single candidate after "
            f"the fact, {self.best_model} ({self.best:.3f}); its 80 % intervals cover "
            f"{self.coverage_80:.2f} (target {low80}-{high80}). Positive means the engine is "
            "more accurate."
        )

    def targets(self) -> str:
        """Each target met or missed, with the figure."""
        low80, high80 = TARGET_COVERAGE[80]
        low95, high95 = TARGET_COVERAGE[95]
        marks = [
            _mark(self.ratio <= TARGET_RATIO, f"MASE ratio to the best {self.ratio:.3f} (<= 1.02)"),
            _mark(
                low80 <= self.coverage_80 <= high80,
                f"80 % coverage {self.coverage_80:.2f} ({low80}-{high80})",
            ),
            _mark(
                low95 <= self.coverage_95 <= high95,
                f"95 % coverage {self.coverage_95:.2f} ({low95}-{high95})",
            ),
        ]
        return "Targets: " + "; ".join(marks) + "."


def _mark(met: bool, text: str) -> str:
    return f"{text} {'met' if met else 'MISSED'}"


def verdict(metrics: pl.DataFrame) -> Verdict:
    """Averages over series of the engine, naive and the best single candidate."""
    averages = average_over_series(metrics)
    chosen = averages.filter(pl.col("model") == "chosen").row(0, named=True)
    singles = averages.filter(~pl.col("model").is_in(REFERENCE_EXCLUDED)).sort("mase", "model")
    best = singles.row(0, named=True)
    naive = averages.filter(pl.col("model") == "naive")["mase"][0]
    return Verdict(
        engine=chosen["mase"],
        naive=naive,
        best_model=best["model"],
        best=best["mase"],
        coverage_80=chosen["coverage_80"],
        coverage_95=chosen["coverage_95"],
    )


def engine_settings(evaluation_set: EvaluationSet) -> EngineSettings:
    """The frozen settings every set is run with: the engine's defaults and default Prophet."""
    return EngineSettings(
        horizon=evaluation_set.horizon,
        backtest_horizon=evaluation_set.horizon,
        folds=evaluation_set.folds,
        extra_models=(("prophet_default", ProphetForecaster(yearly_fourier_order=10)),),
        keep_prophet=False,
    )


def run_set(
    evaluation_set: EvaluationSet,
    *,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> SetResult:
    """Backtest the engine and its candidates on one evaluation set."""
    frame, frequency = check_input(evaluation_set.series(), source=evaluation_set.name)
    output = run_engine(
        frame, frequency, engine_settings(evaluation_set), workers=workers, progress=progress
    )
    scores = [r.fold_scores for r in output.results if not r.fold_scores.is_empty()]
    folds = pl.concat(scores, how="diagonal_relaxed")
    weights = pl.DataFrame(
        [
            {"unique_id": r.unique_id, "model": name, "weight": weight}
            for r in output.results
            for name, weight in r.weights.items()
        ],
        schema={"unique_id": pl.String, "model": pl.String, "weight": pl.Float64},
    )
    inner = pl.DataFrame(
        [
            {"unique_id": r.unique_id, "model": name, "inner_mase": error}
            for r in output.results
            for name, error in r.inner_errors.items()
            if name != "chosen"
        ],
        schema={"unique_id": pl.String, "model": pl.String, "inner_mase": pl.Float64},
    )
    return SetResult(
        evaluation_set, output.metrics, output.choices, folds, weights, inner, output.step_coverage
    )


def coverage_per_step(steps: pl.DataFrame, model: str = "chosen") -> str:
    """One sentence: a model's 80 % and 95 % coverage at each step ahead."""
    if steps.is_empty():
        return ""
    rows = steps.filter(pl.col("model") == model).sort("step")
    text = ", ".join(
        f"{row['step']}: {row['coverage_80']:.2f} / {row['coverage_95']:.2f}"
        for row in rows.iter_rows(named=True)
    )
    return f"Coverage of the engine's 80 % / 95 % intervals per step ahead: {text}."


def explain_misses(result: SetResult, found: Verdict) -> list[str]:
    """Why a set misses a target, from its own figures: the engine per outer fold, and where the
    best candidate after the fact stood in the inner backtest at the last origin."""
    lines: list[str] = []
    engine_folds = (
        result.folds.filter(pl.col("model") == "chosen")
        if "model" in result.folds.columns
        else result.folds
    )
    if found.ratio > TARGET_RATIO and not result.inner.is_empty():
        inner = (
            result.inner.group_by("model")
            .agg(pl.col("inner_mase").mean())
            .sort("inner_mase", "model")
        )
        ranked = inner["model"].to_list()
        chosen = result.weights.filter(pl.col("model") == found.best_model)["weight"]
        weight = float(chosen.sum()) / max(result.weights["unique_id"].n_unique(), 1)
        if found.best_model in ranked:
            errors = inner["inner_mase"]
            lines.append(
                f"Why the MASE target is missed: at the last origin the inner backtest ranked "
                f"{found.best_model} {ranked.index(found.best_model) + 1} of {len(ranked)}, "
                f"with inner MASE {errors[ranked.index(found.best_model)]:.3f} against "
                f"{errors[0]:.3f} for the best and {errors[-1]:.3f} for the worst; the weights "
                f"follow those errors, so {found.best_model} weighed {weight:.2f} on average. "
                f"A rule blind to the test years cannot tell that {found.best_model} would lead "
                "by this much." + _gap_per_fold(result.folds, found.best_model)
            )
    for level, (low, high) in TARGET_COVERAGE.items():
        covered = found.coverage_80 if level == 80 else found.coverage_95
        if low <= covered <= high or engine_folds.is_empty():
            continue
        column = f"coverage_{level}"
        per_fold = (
            engine_folds.group_by("fold")
            .agg(pl.col(column).mean(), pl.col("mase").mean())
            .sort("fold")
        )
        text = ", ".join(
            f"{row[column]:.2f} (MASE {row['mase']:.2f})" for row in per_fold.iter_rows(named=True)
        )
        start = (
            f"Why the {level} % coverage target is missed ({covered:.3f}): per outer fold, oldest "
            f"first, the engine's {level} % intervals covered {text}."
        )
        if covered < low:
            worst = per_fold.sort(column).row(0, named=True)
            lines.append(
                f"{start} Fold {worst['fold'] + 1} of {per_fold.height} contributes most: its "
                "test errors were larger than the inner folds before it had shown."
            )
        else:
            lines.append(
                f"{start} The intervals are wider than needed there: conformal quantiles rest "
                "on the inner folds, which held larger errors than these test years."
            )
    return lines


def _gap_per_fold(folds: pl.DataFrame, best_model: str) -> str:
    """The engine's MASE against the reference's per outer fold, and the fold of the widest gap."""
    if "model" not in folds.columns:
        return ""
    per_fold = (
        folds.filter(pl.col("model").is_in(["chosen", best_model]))
        .group_by("fold", "model")
        .agg(pl.col("mase").mean())
        .pivot("model", index="fold", values="mase")
        .sort("fold")
    )
    if per_fold.is_empty() or {"chosen", best_model} - set(per_fold.columns):
        return ""
    gaps = (per_fold["chosen"] - per_fold[best_model]).to_list()
    text = ", ".join(
        f"{row['chosen']:.2f} against {row[best_model]:.2f}"
        for row in per_fold.iter_rows(named=True)
    )
    widest = int(np.argmax(gaps))
    return (
        f" Per outer fold, oldest first, the engine's MASE against {best_model}'s: {text}; "
        f"fold {widest + 1} of {len(gaps)} holds the widest gap ({gaps[widest]:+.2f})."
    )


def build_report(results: list[SetResult], *, series_dir: str) -> str:
    """The Markdown report from each set's results."""
    sections: list[str] = []
    summary_rows = []
    for result in results:
        item = result.evaluation_set
        found = verdict(result.metrics)
        averages = average_over_series(result.metrics).select(COLUMNS)
        summary_rows.append(
            {
                "set": item.name,
                "series": result.metrics["unique_id"].n_unique(),
                "seen before": "yes" if item.seen else "no",
                "chosen": round(found.engine, 3),
                "naive": round(found.naive, 3),
                "best single": f"{found.best_model} {found.best:.3f}",
                "ratio to best": round(found.ratio, 3),
                "coverage 80": round(found.coverage_80, 2),
                "coverage 95": round(found.coverage_95, 2),
            }
        )
        weights = (
            result.weights.group_by("model")
            .agg(
                pl.col("weight").mean().round(3).alias("mean weight"),
                pl.col("weight").min().round(3).alias("lowest"),
                pl.col("weight").max().round(3).alias("highest"),
            )
            .sort("mean weight", "model", descending=[True, False])
        )
        sections += [
            f"### {item.title}",
            "",
            f"Set `{item.name}`: {result.metrics['unique_id'].n_unique()} series, "
            f"horizon {item.horizon}, {item.folds} folds; "
            f"series in `{series_dir}/{item.name}.csv`.",
            "",
            markdown_table(averages),
            "",
            found.sentence(),
            "",
            found.targets(),
            "",
            *[line for text in (coverage_per_step(result.steps),) if text for line in (text, "")],
            *[line for why in explain_misses(result, found) for line in (why, "")],
            "Weights of the final forecast (at the end of each series), over the set's series:",
            "",
            markdown_table(weights),
            "",
        ]
    union = pl.concat([r.metrics for r in results], how="diagonal_relaxed")
    found = verdict(union)
    sections += [
        "### All sets together",
        "",
        markdown_table(average_over_series(union).select(COLUMNS)),
        "",
        found.sentence(),
        "",
        _mark(
            found.gain_over_naive >= TARGET_GAIN_OVER_NAIVE,
            f"Gain over naive {found.gain_over_naive:.1%} (>= 5 %)",
        )
        + ".",
        "",
    ]
    return "\n".join(
        [
            "# Forecast accuracy on real series",
            "",
            "Generated by `workforce report accuracy`; do not edit by hand. A set's figures (all",
            "but `prophet_default`) also come from `workforce backtest --input "
            f"{series_dir}/SET.csv --horizon H --folds K --out DIR` (`DIR/metrics.csv`).",
            'Sources: CBS StatLine (CC BY 4.0, "Bron: CBS") and statsmodels\' public-domain',
            "datasets; see `data/external/SOURCES.md`.",
            "",
            "## Protocol and frozen settings",
            "",
            "Rolling origin with non-overlapping folds, the last fold ending with the series;",
            "every forecast uses only data before its origin. MASE and RMSSE divide by the",
            "in-sample seasonal-naive error of each fold's training part. Each set's result is",
            "its average over series; the reference is the single candidate with the lowest",
            "average MASE on that set, chosen after the fact.",
            "",
            "`chosen` is the engine with its default settings, the same on every set: candidates",
            "naive, seasonal naive, drift, damped ETS (on the seasonally adjusted series), Theta",
            "and Prophet (yearly order 2 for quarters, 6 for months; fast optimiser); an inner",
            "backtest of up to six folds of one year inside each training window; every",
            "candidate weighted by 1 / MASE squared, its mean inner MASE pooled over the series",
            "that share the forecast origin; split-conformal intervals from the combination's",
            "inner errors, each inner fold scored with the weights chosen without its period",
            "(cross-fitted), scaled by recent volatility, with a quantile per step ahead, pooled",
            "over the series of the origin where a series has fewer than 50 errors at a step; a",
            "step with fewer than 40 errors takes nearby steps' errors, measured in the step",
            "profile (the mean error per step of the origin's errors, smoothed over 30 errors).",
            "`prophet` is that Prophet alone; `prophet_default` is Prophet's",
            "default yearly seasonality (order 10) with its own simulated intervals.",
            "",
            "The rule and the per-step calibration were fixed before this report was run. They",
            "were picked among variants (the best two or three by inverse error, shrinkage toward",
            "the mean of naive, drift and Theta, trimming candidates far from the best, recency",
            "weights, median or geometric-mean errors, powers 0 to 4; one quantile for all steps,",
            "or one per step resting on at least 20, 40 or 72 errors) measured on these sets'",
            "backtests, so every set here has been looked at; the care sets were also seen when",
            "the engine was first built. The step profile and the cross-fitted errors were",
            "declared from their principle and from tests on generated errors; on these sets'",
            "backtests four more variants were measured and rejected: dropping candidates that",
            "lost to the best in every inner period (a sign test at 5 %), inner MASE on one",
            "scale per series and origin, a power-law step profile, and an isotonic fit of the",
            "widths over the steps. Real series kept outside the project check it again.",
            "",
            "## Summary",
            "",
            markdown_table(pl.DataFrame(summary_rows)),
            "",
            "## Per set",
            "",
            *sections,
        ]
    )


def write_series(results_dir: Path) -> list[EvaluationSet]:
    """Write each set's long CSV; return the sets."""
    results_dir.mkdir(parents=True, exist_ok=True)
    for item in EVALUATION_SETS:
        write_csv(item.series(), results_dir / f"{item.name}.csv")
    return list(EVALUATION_SETS)


SETS_STAGE = "Evaluation sets"
"""The progress description of the sets done (``progress(SETS_STAGE, done, total)``)."""


def write_report(
    out: Path,
    series_dir: Path,
    *,
    workers: int | None = None,
    sets: tuple[str, ...] = (),
    progress: ProgressCallback | None = None,
) -> str:
    """Run every set (or those named), write the report and the series; return the report.
    ``progress`` hears of each set done and of the engine's work within it."""
    chosen = [item for item in write_series(series_dir) if not sets or item.name in sets]
    results = []
    for done, item in enumerate(chosen):
        if progress:
            progress(SETS_STAGE, done, len(chosen))
        results.append(run_set(item, workers=workers, progress=progress))
    if progress:
        progress(SETS_STAGE, len(chosen), len(chosen))
    report = build_report(results, series_dir=str(series_dir))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    metrics = pl.concat([r.metrics for r in results], how="diagonal_relaxed")
    write_csv(metrics, series_dir / "metrics.csv")
    return report
