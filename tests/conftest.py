"""Session fixtures shared by the test packages: one generated region, loaded and built once.

Test lanes: a test that starts Chromium (it uses the ``browser`` fixture, directly or through
another fixture) is marked ``browser``; a test that needs a whole-region forecast or a Voila
server is marked ``slow``. ``make test-fast`` runs everything else.
"""

from __future__ import annotations

from pathlib import Path

import hypothesis
import pytest

from workforce.build import build_marts
from workforce.ingest.load import ingest_paths
from workforce.synthetic import RegionParams, generate_region

# Property tests check values, not speed: on a shared machine one example can take longer than
# Hypothesis's default 200 ms deadline and fail a correct test.
hypothesis.settings.register_profile("workforce", deadline=None)
hypothesis.settings.load_profile("workforce")

BROWSER_FIXTURES = frozenset({"browser"})
"""Fixtures that start Chromium."""
SLOW_FIXTURES = frozenset(
    {
        "region_forecast",
        "prophet_data",
        "dashboard_data",
        "main_data",
        "server",
        "backtest_2021",
        "small_run",
    }
)
"""Fixtures that fit forecasts (Prophet in worker processes, a region's forecast or supply) or
start a Voila server: seconds to tens of seconds each."""


SLOW_TESTS = (
    "tests/forecast/test_leaving.py",
    "tests/forecast/test_executor.py",
    "tests/forecast/test_cli.py::test_forecast_writes_forecasts_and_a_registry_run",
    "tests/forecast/test_engine.py::test_choice_never_sees_the_test_window",
    "tests/test_regional_cli.py",
    "tests/test_cli.py::test_generated_region_passes_validation",
    "tests/synthetic/test_generate.py::test_national_scale_streams_one_partition_per_block",
    "tests/synthetic/test_ground_truth.py::test_leave_rates_by_age_band_recover_the_manifest",
)
"""Tests (or whole modules, by their module fixtures) that took the longest in
``pytest -m "not slow and not browser" --durations=60``: fits of the leaving model and the
supply projection on the region, Dask, whole-region forecasts, national-scale generation."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the fixtures they use, so new tests join the right lane by themselves."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Midden-Utrecht alone (``--regions AM13``), generated once for the session: the tests of
    one region's pipeline (forecasts, scenarios, advice, the pages) need no more."""
    out = tmp_path_factory.mktemp("region")
    generate_region(out, seed=42, params=RegionParams().with_regions("AM13"))
    return out


@pytest.fixture(scope="session")
def region_data(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the region ingested and its marts built (``<dir>/marts``)."""
    data_dir = tmp_path_factory.mktemp("region_data")
    ingest_paths([region], data_dir)
    build_marts(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's default: the three regions of the Utrecht care employers, generated once."""
    out = tmp_path_factory.mktemp("area")
    generate_region(out, seed=42)
    return out


@pytest.fixture(scope="session")
def area_data(area: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the three regions ingested and their marts built."""
    data_dir = tmp_path_factory.mktemp("area_data")
    ingest_paths([area], data_dir)
    build_marts(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def region_forecast(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``region_data`` with a whole-region forecast: ``forecasts/`` and ``models/``.

    The engine runs its baselines only, with two backtest folds, to keep the session short;
    the leaving model, the supply projection and the joint simulation are the real ones.
    """
    import shutil

    from workforce.forecast.pipeline import baseline_settings
    from workforce.forecast.region import forecast_region

    data_dir = tmp_path_factory.mktemp("region_forecast")
    shutil.copytree(region_data / "marts", data_dir / "marts", symlinks=False)
    settings = baseline_settings(120)
    forecast_region(
        data_dir, settings, models_dir=data_dir / "models", paths=200, evaluate_leaving=False
    )
    return data_dir
