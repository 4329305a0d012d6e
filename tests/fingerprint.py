"""Fingerprint of a generated region's outputs: rows and column sums of every frame it produces.

The fingerprint covers every mart, forecast mart, regional output, the lever table of the
standard levers and the intake advice of the default Midden-Utrecht region (seed 42), forecast
with the engine's baselines as the ``region_forecast`` test fixture does. ``test_fingerprint``
compares a fresh run with ``tests/fingerprint.json``, so a restructuring that changes any output
shows which frame and column moved.

A change that is meant to alter outputs (a better model, a fixed mart) regenerates the file,
deliberately, and the diff shows what changed::

    python -m tests.fingerprint --write      # regenerate tests/fingerprint.json
    python -m tests.fingerprint              # compare only; exit 1 on a difference
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

FINGERPRINT = Path(__file__).with_name("fingerprint.json")
SEED = 42
HORIZON = 120
PATHS = 200
SIGNIFICANT = 10
"""Sums are stored to this many significant digits and compared with ``RELATIVE_TOLERANCE``."""
RELATIVE_TOLERANCE = 1e-7
"""Float sums whose order polars does not fix move the last bits between processes; a real
change moves far more."""


def run_region(workdir: Path) -> Path:
    """Generate, ingest, build, forecast and compute the regional outputs; the data folder."""
    from workforce.forecast.engine_run import baseline_settings
    from workforce.ingest.load import ingest_paths
    from workforce.marts.build import build_marts
    from workforce.outlook.region_forecast import forecast_region
    from workforce.regional import write_regional
    from workforce.synthetic import RegionParams, generate_region

    raw, data_dir = workdir / "raw", workdir / "data"
    generate_region(raw, seed=SEED, params=RegionParams().with_regions("AM13"))
    ingest_paths([raw], data_dir)
    build_marts(data_dir)
    forecast_region(
        data_dir,
        baseline_settings(HORIZON),
        models_dir=data_dir / "models",
        paths=PATHS,
        evaluate_leaving=False,
    )
    write_regional(data_dir)
    return data_dir


def outputs(data_dir: Path) -> dict[str, pl.DataFrame]:
    """Every frame the region produced, by ``<group>/<name>``."""
    from workforce.alignment import advise_intake
    from workforce.marts.compute import MART_NAMES
    from workforce.marts.residence import RESIDENCE_MARTS
    from workforce.outlook.outlook import Outlook
    from workforce.scenario import lever_table, standard_levers
    from workforce.store import Store

    store = Store(data_dir)
    frames = {f"marts/{name}": store.read_mart(name) for name in (*MART_NAMES, *RESIDENCE_MARTS)}
    for path in sorted(store.forecasts.glob("*.parquet")):
        frames[f"forecasts/{path.stem}"] = store.read_forecast(path.stem)
    for path in sorted(store.regional.glob("*.parquet")):
        frames[f"regional/{path.stem}"] = store.read_regional(path.stem)
    outlook = Outlook.load(store.outlook)
    frames["scenarios/lever_table"] = lever_table(outlook, standard_levers(), paths=PATHS, seed=0)
    frames["alignment/advice"] = advise_intake(outlook, paths=PATHS, seed=0).table
    return frames


def fingerprint(frames: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Per frame: its rows and, per numeric or true/false column, the sum of its values."""
    result: dict[str, Any] = {}
    for name, frame in sorted(frames.items()):
        sums: dict[str, float | None] = {}
        for column, dtype in frame.schema.items():
            if dtype.is_numeric() or dtype == pl.Boolean:
                total = frame[column].cast(pl.Float64).sum()
                sums[column] = _significant(total) if math.isfinite(total) else None
        result[name] = {"rows": frame.height, "columns": len(frame.columns), "sums": sums}
    return result


def _significant(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT}g}")


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One line per frame or column whose fingerprint differs."""
    lines = [f"{name}: not produced any more" for name in sorted(set(expected) - set(actual))]
    lines += [f"{name}: new output" for name in sorted(set(actual) - set(expected))]
    for name in sorted(set(expected) & set(actual)):
        was, now = expected[name], actual[name]
        for key in ("rows", "columns"):
            if was[key] != now[key]:
                lines.append(f"{name}: {key} {was[key]} -> {now[key]}")
        # A column that is a small difference of large ones (demand growth minus its
        # demographic part) carries their rounding noise: tolerate it at the frame's scale.
        scale = max(
            (abs(v) for v in was["sums"].values() if isinstance(v, float | int)), default=0.0
        )
        for column in sorted(set(was["sums"]) | set(now["sums"])):
            before, after = was["sums"].get(column, "absent"), now["sums"].get(column, "absent")
            if not _close(before, after, scale):
                lines.append(f"{name}.{column}: sum {before} -> {after}")
    return lines


def _close(before: Any, after: Any, scale: float = 0.0) -> bool:
    if isinstance(before, float | int) and isinstance(after, float | int):
        return math.isclose(
            before, after, rel_tol=RELATIVE_TOLERANCE, abs_tol=max(1e-9, 1e-6 * scale)
        )
    return bool(before == after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"Regenerate {FINGERPRINT.name}.")
    args = parser.parse_args(argv)
    from workforce.store import write_text

    with tempfile.TemporaryDirectory() as workdir:
        actual = fingerprint(outputs(run_region(Path(workdir))))
    if args.write:
        write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", FINGERPRINT)
        print(f"Wrote {FINGERPRINT} ({len(actual)} frames).")
        return 0
    lines = differences(json.loads(FINGERPRINT.read_text()), actual)
    print("\n".join(lines) if lines else f"{FINGERPRINT} matches ({len(actual)} frames).")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
