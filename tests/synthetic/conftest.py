"""Fixtures: one full Midden-Utrecht region, generated once per session."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.synthetic.files import read_source
from workforce.synthetic import generate_region


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default Midden-Utrecht region, generated once for the session."""
    out = tmp_path_factory.mktemp("region")
    generate_region(out, seed=42)
    return out


@pytest.fixture(scope="session")
def region_staff(region: Path) -> pl.DataFrame:
    return read_source(region, "staff")
