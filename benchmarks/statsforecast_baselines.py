"""statsforecast's AutoETS and AutoTheta against the engine's own damped ETS and Theta.

The series are the real CBS series of ``workforce report accuracy`` (every evaluation set of
``workforce.evaluation.real_data``), each backtested by rolling origin with its set's own protocol
(horizon and folds), as the accuracy report does. Scored: MASE (scaled by the in-sample seasonal
naive error of each fold's training part, as ``workforce.forecast.metrics``), per set and over
all sets; CPU seconds of the first fit (which would carry any just-in-time compiling; statsforecast
2.1 runs these two models in compiled C++ from coreforecast and installs no numba) and of all
fits after it; import time.

statsforecast 2.1 needs pandas < 3 and Prophet brings pandas 3, so the two sides run in two
environments and meet through files:

    # 1. the project's side, in the project's environment: series, forecasts, timings
    .venv/bin/python benchmarks/statsforecast_baselines.py project --dir /tmp/sf
    # 2. statsforecast's side, in a throw-away environment
    python3 -m venv /tmp/sf_venv && /tmp/sf_venv/bin/pip install statsforecast polars
    /tmp/sf_venv/bin/python benchmarks/statsforecast_baselines.py statsforecast --dir /tmp/sf
    # 3. the comparison (either environment)
    .venv/bin/python benchmarks/statsforecast_baselines.py compare --dir /tmp/sf
    du -sh /tmp/sf_venv; /tmp/sf_venv/bin/pip show statsforecast numba llvmlite ...  # sizes

Only the ``project`` step imports ``workforce``; the other two need polars and numpy alone.

Measured on 2026-12-07 (statsforecast 2.1.1, pandas 2.3.3 in the throw-away environment; 137
series, 548 fits per model; 2 shared cores, so CPU seconds, not wall time):

- MASE over every series (mean / median): AutoETS 1.629 / 1.648 against damped ETS 1.796 /
  1.737; AutoTheta 1.648 / 1.638 against Theta 1.589 / 1.582. AutoETS is better than damped ETS
  on 5 of the 7 sets (worse on care sick leave, 2.055 against 1.993, and on the care workforce by
  age, 0.829 against 0.820); AutoTheta is worse than Theta over all series and better on 3 sets.
- CPU per fit after the first: AutoETS 33 ms, damped ETS 57 ms; AutoTheta 3.2 ms, Theta 1.7 ms.
  First fit: 0.04 s and 0.19 s; imports 1.8 s and 1.5 s.
- Install: about 12 MB more (statsforecast, coreforecast, fugue, triad, utilsforecast, pytz)
  on top of what the project already has, but statsforecast 2.1 requires ``pandas<3`` while the
  project runs pandas 3 (Prophet's latest); taking AutoETS means pinning pandas below 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

FORECASTS = "{side}_forecasts.parquet"
TIMINGS = "{side}_timings.json"


def seasonal_naive_scale(train: np.ndarray, season_length: int) -> float:
    """As ``workforce.forecast.metrics.seasonal_naive_scale`` (repeated: no project import)."""
    lag = season_length if len(train) > season_length else 1
    errors = train[lag:] - train[:-lag]
    if errors.size == 0:
        return 1.0
    value = float(np.mean(np.abs(errors)))
    return value if value > 0 else max(float(np.mean(np.abs(train))) * 1e-3, 1e-9)


def folds_of(length: int, horizon: int, folds: int) -> list[int]:
    """Training lengths per fold, as ``workforce.forecast.backtest.fold_cutoffs``."""
    return [length - horizon - (folds - 1 - k) * horizon for k in range(folds)]


def export_sets(folder: Path) -> list[dict[str, object]]:
    """Write every evaluation set's series as CSV; return the sets' protocols."""
    from workforce.evaluation.real_data import EVALUATION_SETS
    from workforce.forecast.frames import check_input

    sets = []
    for evaluation_set in EVALUATION_SETS:
        frame, frequency = check_input(evaluation_set.series(), source=evaluation_set.name)
        frame.select("unique_id", "ds", "y").write_csv(folder / f"{evaluation_set.name}.csv")
        sets.append(
            {
                "name": evaluation_set.name,
                "horizon": evaluation_set.horizon,
                "folds": evaluation_set.folds,
                "season_length": frequency.season_length,
            }
        )
    (folder / "sets.json").write_text(json.dumps(sets, indent=2) + "\n")
    return sets


def read_sets(folder: Path) -> list[tuple[dict, dict[str, np.ndarray]]]:
    """Each set's protocol and its series as arrays, in date order."""
    sets = json.loads((folder / "sets.json").read_text())
    out = []
    for spec in sets:
        frame = pl.read_csv(folder / f"{spec['name']}.csv").sort("unique_id", "ds")
        series = {
            str(key[0]): group["y"].to_numpy().astype(float)
            for key, group in frame.group_by("unique_id", maintain_order=True)
        }
        out.append((spec, series))
    return out


def backtest(folder: Path, side: str, models: dict, started_import: float) -> None:
    """Fit every model at every origin of every series; write forecasts and CPU timings.

    ``models`` maps a name to ``forecast(train, horizon, season_length) -> mean``.
    """
    rows = []
    timings: dict[str, dict[str, float]] = {}
    for name, forecast in models.items():
        first = None
        started = time.process_time()
        for spec, series in read_sets(folder):
            horizon, season = int(spec["horizon"]), int(spec["season_length"])
            for unique_id, y in series.items():
                for fold, cutoff in enumerate(folds_of(len(y), horizon, int(spec["folds"]))):
                    train, actual = y[:cutoff], y[cutoff : cutoff + horizon]
                    call = time.process_time()
                    mean = np.asarray(forecast(train, horizon, season), dtype=float)
                    if first is None:
                        first = time.process_time() - call
                    rows.append(
                        {
                            "set": spec["name"],
                            "unique_id": unique_id,
                            "model": name,
                            "fold": fold,
                            "mae": float(np.mean(np.abs(actual - mean))),
                            "scale": seasonal_naive_scale(train, season),
                        }
                    )
        total = time.process_time() - started
        timings[name] = {
            "first_fit_cpu_s": first or 0.0,
            "other_fits_cpu_s": total - (first or 0.0),
            "fits": sum(1 for row in rows if row["model"] == name),
        }
    timings["import_cpu_s"] = {"seconds": started_import}
    pl.DataFrame(rows).write_parquet(folder / FORECASTS.format(side=side))
    (folder / TIMINGS.format(side=side)).write_text(json.dumps(timings, indent=2) + "\n")
    print(json.dumps(timings, indent=2))


def project_side(folder: Path) -> None:
    """The engine's hand-written damped ETS and Theta."""
    started = time.process_time()
    from workforce.forecast.baselines import DampedETS, Theta
    from workforce.forecast.frames import Frequency, Series

    imported = time.process_time() - started
    export_sets(folder)
    frequencies = {4: Frequency.quarter, 12: Frequency.month}

    def run(template: type) -> object:
        def forecast(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
            step = "3mo" if season == 4 else "1mo"
            ds = pl.date_range(
                pl.date(2000, 1, 1), pl.date(2100, 1, 1), step, eager=True
            ).to_numpy()[: len(train)]
            series = Series("s", ds, train, frequencies[season])
            return template().fit(series).predict(horizon).mean

        return forecast

    backtest(folder, "project", {"damped_ets": run(DampedETS), "theta": run(Theta)}, imported)


def statsforecast_side(folder: Path) -> None:
    """statsforecast's AutoETS and AutoTheta, automatic model selection as shipped."""
    started = time.process_time()
    from statsforecast.models import AutoETS, AutoTheta

    imported = time.process_time() - started

    def run(model: type) -> object:
        def forecast(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
            return model(season_length=season).forecast(y=train, h=horizon)["mean"]

        return forecast

    backtest(
        folder, "statsforecast", {"AutoETS": run(AutoETS), "AutoTheta": run(AutoTheta)}, imported
    )


def compare(folder: Path) -> None:
    """MASE per set and model (mean over series of the mean over folds), and the timings."""
    frames = [pl.read_parquet(path) for path in sorted(folder.glob("*_forecasts.parquet"))]
    scores = (
        pl.concat(frames)
        .with_columns(mase=pl.col("mae") / pl.col("scale"))
        .group_by("set", "model", "unique_id")
        .agg(pl.col("mase").mean())
    )
    per_set = scores.group_by("set", "model").agg(pl.col("mase").mean(), series=pl.len())
    overall = scores.group_by("model").agg(
        pl.col("mase").mean().alias("all series"),
        pl.col("mase").median().alias("median series"),
    )
    wide = per_set.pivot("model", index="set", values="mase").sort("set")
    with pl.Config(
        tbl_formatting="MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        float_precision=3,
        tbl_rows=-1,
        tbl_cols=-1,
    ):
        print("MASE per evaluation set (mean over series):\n")
        print(wide)
        print("\nMASE over every series of every set:\n")
        print(overall.sort("model"))
        timings = []
        for path in sorted(folder.glob("*_timings.json")):
            data = json.loads(path.read_text())
            imported = data.pop("import_cpu_s")["seconds"]
            for model, values in data.items():
                timings.append(
                    {
                        "model": model,
                        "import CPU s": imported,
                        "first fit CPU s": values["first_fit_cpu_s"],
                        "other fits CPU ms each": 1000
                        * values["other_fits_cpu_s"]
                        / max(values["fits"] - 1, 1),
                        "fits": values["fits"],
                    }
                )
        print("\nCPU time (the first fit includes any just-in-time compiling):\n")
        print(pl.DataFrame(timings).sort("model"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("side", choices=("project", "statsforecast", "compare"))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/statsforecast-benchmark"))
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.side == "project":
        project_side(args.dir)
    elif args.side == "statsforecast":
        statsforecast_side(args.dir)
    else:
        compare(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
