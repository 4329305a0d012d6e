"""Session fixtures shared by the test packages: one generated region, loaded and built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from workforce.build import build_marts
from workforce.ingest.load import ingest_paths
from workforce.synthetic import generate_region


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default Midden-Utrecht region's raw files, generated once for the session."""
    out = tmp_path_factory.mktemp("region")
    generate_region(out, seed=42)
    return out


@pytest.fixture(scope="session")
def region_data(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the region ingested and its marts built (``<dir>/marts``)."""
    data_dir = tmp_path_factory.mktemp("region_data")
    ingest_paths([region], data_dir)
    build_marts(data_dir)
    return data_dir
