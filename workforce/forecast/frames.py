"""Forecast frames: the long input (``unique_id, ds, y``) and the tidy output, with their contracts.

Polars frames cross every boundary of the forecast engine. Input is value-checked once, in
:func:`check_input`, which turns every problem into an :class:`InputError` naming the column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandera.polars as pa
import polars as pl

LEVELS = (80, 95)
"""Nominal coverage of the prediction intervals, in percent."""

INTERVAL_COLUMNS = tuple(f"yhat_{side}_{level}" for level in LEVELS for side in ("lo", "hi"))
OUTPUT_COLUMNS = ("unique_id", "ds", "model", "yhat", *INTERVAL_COLUMNS)


class InputError(ValueError):
    """Input that cannot be forecast; the message names the source and the column."""


class Frequency(StrEnum):
    """Sampling frequency of a series; the value is the polars duration of one step."""

    day = "1d"
    week = "1w"
    month = "1mo"
    quarter = "1q"
    year = "1y"

    @property
    def season_length(self) -> int:
        """Steps in one year: the seasonal period the baselines and metrics use."""
        return {"1d": 7, "1w": 52, "1mo": 12, "1q": 4, "1y": 1}[self.value]

    @property
    def pandas_alias(self) -> str:
        """The pandas offset alias, for estimators that need pandas dates."""
        return {"1d": "D", "1w": "W", "1mo": "MS", "1q": "QS", "1y": "YS"}[self.value]

    @property
    def is_sub_monthly(self) -> bool:
        """Daily and weekly series: the only ones where public holidays can show."""
        return self in (Frequency.day, Frequency.week)


_STEP_DAYS = {
    Frequency.day: (1, 1),
    Frequency.week: (7, 7),
    Frequency.month: (28, 31),
    Frequency.quarter: (89, 92),
    Frequency.year: (365, 366),
}


class ForecastInput(pa.DataFrameModel):
    """Long input: one row per series and period; extra columns are regressors or hierarchy keys."""

    unique_id: str = pa.Field(nullable=False)
    ds: dt.date = pa.Field(nullable=False)
    y: float = pa.Field(nullable=False)

    @pa.dataframe_check(error="duplicate unique_id + ds")
    @classmethod
    def unique_periods(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("unique_id", "ds").is_duplicated())

    @pa.check("y", error="y must be finite")
    @classmethod
    def finite_values(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())

    class Config:
        strict = False


class ForecastOutput(pa.DataFrameModel):
    """Tidy output: one row per series, period and model, with 80 % and 95 % intervals."""

    unique_id: str = pa.Field(nullable=False)
    ds: dt.date = pa.Field(nullable=False)
    model: str = pa.Field(nullable=False)
    yhat: float = pa.Field(nullable=False)
    yhat_lo_80: float = pa.Field(nullable=False)
    yhat_hi_80: float = pa.Field(nullable=False)
    yhat_lo_95: float = pa.Field(nullable=False)
    yhat_hi_95: float = pa.Field(nullable=False)

    @pa.dataframe_check(error="intervals must nest: lo_95 <= lo_80 <= yhat <= hi_80 <= hi_95")
    @classmethod
    def nested_intervals(cls, data: pa.PolarsData) -> pl.LazyFrame:
        tolerance = 1e-9
        return data.lazyframe.select(
            (pl.col("yhat_lo_95") <= pl.col("yhat_lo_80") + tolerance)
            & (pl.col("yhat_lo_80") <= pl.col("yhat") + tolerance)
            & (pl.col("yhat") <= pl.col("yhat_hi_80") + tolerance)
            & (pl.col("yhat_hi_80") <= pl.col("yhat_hi_95") + tolerance)
        )

    class Config:
        strict = False


@dataclass(frozen=True)
class Series:
    """One series as arrays: the unit every estimator and backtest works on.

    ``known_paths`` holds regressors whose future is published ahead (a population
    projection): ``known_paths[name][i, j]`` is the value for period ``j`` (past or future) as
    known at period ``i``, so a forecaster fitted on the first ``i + 1`` periods reads row ``i``
    and nothing published later.
    """

    unique_id: str
    ds: np.ndarray
    y: np.ndarray
    frequency: Frequency
    exogenous: dict[str, np.ndarray] = field(default_factory=dict)
    known_paths: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)

    def head(self, length: int) -> Series:
        """The first ``length`` periods: a training window that cannot see what follows."""
        return Series(
            self.unique_id,
            self.ds[:length],
            self.y[:length],
            self.frequency,
            {name: values[:length] for name, values in self.exogenous.items()},
            {name: paths[:length] for name, paths in self.known_paths.items()},
        )

    def known_path(self, name: str) -> np.ndarray | None:
        """The regressor ``name`` over all periods as known at the last period, if given."""
        paths = self.known_paths.get(name)
        return None if paths is None else paths[len(self) - 1]

    def to_frame(self) -> pl.DataFrame:
        """The series as a long polars frame."""
        return pl.DataFrame(
            {"unique_id": self.unique_id, "ds": self.ds, "y": self.y, **self.exogenous}
        ).with_columns(pl.col("ds").cast(pl.Date))


def future_dates(last: np.datetime64 | dt.date, horizon: int, frequency: Frequency) -> np.ndarray:
    """The ``horizon`` period starts after ``last``, as ``datetime64[D]``."""
    steps = np.arange(1, horizon + 1)
    day = np.array([last], dtype="datetime64[D]")
    if frequency in (Frequency.day, Frequency.week):
        days = 1 if frequency is Frequency.day else 7
        return day + steps * days
    months = {Frequency.month: 1, Frequency.quarter: 3, Frequency.year: 12}[frequency]
    return (day.astype("datetime64[M]") + steps * months).astype("datetime64[D]")


def detect_frequency(ds: pl.Series, *, source: str = "input") -> Frequency:
    """The frequency of sorted dates of one series, from the median gap between periods."""
    gaps = ds.sort().diff().drop_nulls().dt.total_days()
    if gaps.len() == 0:
        raise InputError(f"{source}: column 'ds' needs at least two periods to detect a frequency")
    median = float(gaps.median())  # type: ignore[arg-type]
    for frequency, (low, high) in _STEP_DAYS.items():
        if low <= median <= high:
            return frequency
    raise InputError(
        f"{source}: column 'ds' has a median gap of {median:.0f} days; expected daily, weekly, "
        "monthly, quarterly or yearly periods"
    )


def check_input(
    frame: pl.DataFrame,
    *,
    source: str = "input",
    frequency: Frequency | None = None,
    min_length: int = 1,
) -> tuple[pl.DataFrame, Frequency]:
    """Value-check a long frame and parse its dates; return it sorted, with its frequency.

    Problems raise :class:`InputError` with a message naming ``source`` and the column.
    """
    missing = [name for name in ("unique_id", "ds", "y") if name not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"found {', '.join(frame.columns) or 'none'}"
        )
    frame = frame.with_columns(
        pl.col("unique_id").cast(pl.String),
        _parse_dates(frame, source),
        _parse_values(frame, source),
    )
    frame = frame.filter(pl.col("y").is_not_null()).sort("unique_id", "ds")
    try:
        ForecastInput.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        first = errors.failure_cases.row(0, named=True)
        raise InputError(
            f"{source}: column '{first['column'] or 'unique_id, ds'}' fails "
            f"'{first['check']}' (e.g. {first['failure_case']!r})"
        ) from None
    lengths = frame.group_by("unique_id").len()
    short = lengths.filter(pl.col("len") < min_length).sort("unique_id")
    if short.height:
        ids = ", ".join(str(uid) for uid in short["unique_id"].head(5))
        raise InputError(
            f"{source}: series too short for this backtest ({ids}: "
            f"{short['len'].min()!s} values in column 'y', need at least {min_length})"
        )
    if frequency is None:
        longest = lengths.sort("len", descending=True)["unique_id"][0]
        frequency = detect_frequency(
            frame.filter(pl.col("unique_id") == longest)["ds"], source=source
        )
    return frame, frequency


def _parse_dates(frame: pl.DataFrame, source: str) -> pl.Expr:
    column = frame["ds"]
    if column.dtype == pl.Date:
        return pl.col("ds")
    if column.dtype == pl.Datetime:
        return pl.col("ds").dt.date()
    text = column.cast(pl.String)
    parsed = text.str.to_date(strict=False)
    bad = text.filter(parsed.is_null() & text.is_not_null())
    if bad.len() or column.null_count():
        example = bad[0] if bad.len() else "an empty value"
        raise InputError(
            f"{source}: column 'ds' has dates that cannot be read (e.g. {example!r}); "
            "expected YYYY-MM-DD"
        )
    return pl.lit(parsed).alias("ds")


def _parse_values(frame: pl.DataFrame, source: str) -> pl.Expr:
    column = frame["y"]
    if column.dtype.is_numeric():
        return pl.col("y").cast(pl.Float64)
    parsed = column.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    bad = column.filter(parsed.is_null() & column.is_not_null())
    if bad.len():
        raise InputError(f"{source}: column 'y' has values that are not numbers (e.g. {bad[0]!r})")
    return pl.lit(parsed).alias("y")


def split_series(
    frame: pl.DataFrame,
    frequency: Frequency,
    *,
    exogenous: tuple[str, ...] = (),
    known_paths: dict[str, dict[str, np.ndarray]] | None = None,
) -> Iterator[Series]:
    """Yield each series of a checked long frame as arrays; ``known_paths`` by unique_id."""
    for (unique_id,), group in frame.group_by("unique_id", maintain_order=True):
        yield Series(
            str(unique_id),
            group["ds"].to_numpy().astype("datetime64[D]"),
            group["y"].to_numpy().astype(np.float64),
            frequency,
            {name: group[name].to_numpy().astype(np.float64) for name in exogenous},
            (known_paths or {}).get(str(unique_id), {}),
        )


def read_long_file(
    path: str | Path, *, frequency: Frequency | None = None, min_length: int = 1
) -> tuple[pl.DataFrame, Frequency]:
    """Read a long Parquet or CSV file and check it; errors name the file."""
    file = Path(path)
    if not file.exists():
        raise InputError(f"{file}: file not found")
    try:
        if file.suffix.lower() == ".parquet":
            frame = pl.read_parquet(file)
        else:
            frame = pl.read_csv(file, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InputError(f"{file}: cannot be read as Parquet or CSV ({error})") from None
    return check_input(frame, source=str(file), frequency=frequency, min_length=min_length)
