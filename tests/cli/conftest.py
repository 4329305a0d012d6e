"""Fixtures of the command tests."""

from __future__ import annotations

import polars as pl
import pytest

from tests.forecast.conftest import long_frame, random_walk, seasonal_series


@pytest.fixture(scope="session")
def small_frame() -> pl.DataFrame:
    """Two quarterly series of ten years: one seasonal, one a random walk."""
    return long_frame(
        seasonal_series(length=40, unique_id="a"), random_walk(length=40, unique_id="b")
    )
