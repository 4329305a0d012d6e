"""Input contract: frequencies, clear messages for bad input."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from workforce.forecast.frames import (
    ForecastOutput,
    Frequency,
    InputError,
    check_input,
    detect_frequency,
    future_dates,
)


@pytest.mark.parametrize(
    ("interval", "expected"),
    [("1mo", Frequency.month), ("1q", Frequency.quarter), ("1y", Frequency.year)],
)
def test_frequency_is_detected(interval: str, expected: Frequency) -> None:
    dates = pl.date_range(dt.date(2015, 1, 1), dt.date(2024, 1, 1), interval, eager=True)
    assert detect_frequency(dates) is expected


def test_future_dates_follow_quarter_starts() -> None:
    dates = future_dates(dt.date(2023, 10, 1), 2, Frequency.quarter)
    assert [str(d) for d in dates] == ["2024-01-01", "2024-04-01"]


def test_text_dates_and_values_are_parsed() -> None:
    frame = pl.DataFrame(
        {
            "unique_id": ["a"] * 3,
            "ds": ["2024-01-01", "2024-02-01", "2024-03-01"],
            "y": ["1", "2", "3"],
        }
    )
    checked, frequency = check_input(frame)
    assert checked["y"].to_list() == [1.0, 2.0, 3.0]
    assert frequency is Frequency.month


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"unique_id": ["a"], "ds": ["2024-01-01"]}), "missing column(s) 'y'"),
        (pl.DataFrame({"unique_id": ["a"], "ds": ["01/2024"], "y": [1.0]}), "column 'ds'"),
        (pl.DataFrame({"unique_id": ["a"], "ds": ["2024-01-01"], "y": ["x"]}), "column 'y'"),
        (
            pl.DataFrame({"unique_id": ["a", "a"], "ds": ["2024-01-01"] * 2, "y": [1.0, 2.0]}),
            "duplicate",
        ),
    ],
)
def test_bad_input_names_source_and_column(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(InputError, match=r"file\.csv") as error:
        check_input(frame, source="file.csv")
    assert message in str(error.value)


def test_too_short_series_are_named() -> None:
    frame = pl.DataFrame(
        {
            "unique_id": ["short"] * 3,
            "ds": ["2024-01-01", "2024-02-01", "2024-03-01"],
            "y": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(InputError, match="short"):
        check_input(frame, source="f.csv", min_length=10)


def test_output_contract_rejects_crossed_intervals() -> None:
    row = {
        "unique_id": "a",
        "ds": dt.date(2024, 1, 1),
        "model": "m",
        "yhat": 1.0,
        "yhat_lo_80": 2.0,
        "yhat_hi_80": 3.0,
        "yhat_lo_95": 0.0,
        "yhat_hi_95": 4.0,
    }
    with pytest.raises(Exception, match="nest"):
        ForecastOutput.validate(pl.DataFrame([row]))
