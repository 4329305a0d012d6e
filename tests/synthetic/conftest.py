"""Fixtures of the generator's tests (the region itself is in ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.synthetic.files import read_source


@pytest.fixture(scope="session")
def region_staff(region: Path) -> pl.DataFrame:
    return read_source(region, "staff")


@pytest.fixture(scope="session")
def area_staff(area: Path) -> pl.DataFrame:
    return read_source(area, "staff")
