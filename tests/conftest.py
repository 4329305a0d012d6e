"""Session fixtures shared by the test packages: one generated region, loaded and built once.

Test lanes: a test that starts Chromium (it uses the ``browser`` fixture, directly or through
another fixture) is marked ``browser``; a test that needs a whole-region forecast or a Voila
server is marked ``slow``. ``make test-fast`` runs everything else, and its property tests try a
quarter of their examples (``FAST_LANE_EXAMPLES``); ``make test`` tries them all.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import hypothesis
import pytest

from workforce.ingest.load import ingest_paths
from workforce.marts.build import build_marts
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
        "area_forecast",
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
    "tests/supply/test_leaving.py",
    "tests/forecast/test_executor.py",
    "tests/cli/test_forecast.py::test_forecast_writes_forecasts_and_a_registry_run",
    "tests/forecast/test_engine.py::test_choice_never_sees_the_test_window",
    "tests/cli/test_regional.py",
    "tests/cli/test_data.py::test_generated_region_passes_validation",
    "tests/synthetic/test_generate.py::test_national_scale_streams_one_partition_per_block",
    "tests/synthetic/test_ground_truth.py::test_leave_rates_by_age_band_recover_the_manifest",
    # Real processes: the command as a user starts it, a second writer, a killed lock holder.
    "tests/cli/test_messages.py",
    "tests/cli/test_support.py::test_a_busy_data_folder_makes_a_writer_wait_then_stop_with_one_line",
    "tests/test_schemas.py::test_import_does_not_load_reference",
    "tests/dashboards/test_access.py::test_two_commands_at_once_lose_no_token",
    "tests/test_store.py::test_a_second_writer_waits_with_a_message_and_then_gives_up",
    "tests/test_store.py::test_a_killed_writer_releases_the_lock",
    "tests/test_store.py::test_a_direct_call_from_a_notebook_waits_for_the_lock_too",
)
"""Tests (or whole modules, by their module fixtures) that took the longest in
``pytest -m "not slow and not browser" --durations=60``: fits of the leaving model and the
supply projection on the region, Dask, whole-region forecasts, national-scale generation, and
tests that start real processes (each pays a fresh interpreter and its imports)."""


FAST_LANE_EXAMPLES = 0.25
"""Share of a property test's examples tried when slow tests are left out (``-m "not slow"``)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by the fixtures they use, so new tests join the right lane by themselves; in
    the fast lane, give property tests fewer examples."""
    fast_lane = "not slow" in (config.option.markexpr or "")
    shortened: set[int] = set()
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
        if fast_lane:
            _fewer_examples(getattr(item, "obj", None), shortened)


def _fewer_examples(test: object, shortened: set[int]) -> None:
    """Scale a Hypothesis test's ``max_examples`` by :data:`FAST_LANE_EXAMPLES`, once per test
    function (parametrized tests share one). Hypothesis keeps a test's settings, its own
    ``@settings`` included, on the attribute read here; without it the test runs unchanged."""
    settings = getattr(test, "_hypothesis_internal_use_settings", None)
    if settings is None or id(test) in shortened:
        return
    shortened.add(id(test))
    examples = max(1, round(settings.max_examples * FAST_LANE_EXAMPLES))
    test._hypothesis_internal_use_settings = hypothesis.settings(  # type: ignore[attr-defined]
        settings, max_examples=examples
    )


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> Path:
    """A folder that ``build`` fills once per test run.

    Under ``pytest -n`` (as ``make test`` runs) the workers share it: the first to ask builds
    it while the others wait on a lock, so a whole-region forecast is made once, not once
    per worker. Tests only read these folders (a test that writes copies first)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent / "shared"
    shared.mkdir(exist_ok=True)
    folder, done = shared / name, shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Midden-Utrecht alone (``--regions AM13``), generated once for the session: the tests of
    one region's pipeline (forecasts, scenarios, advice, the pages) need no more."""

    def build(out: Path) -> None:
        generate_region(out, seed=42, params=RegionParams().with_regions("AM13"))

    return built_once(tmp_path_factory, "region", build)


@pytest.fixture(scope="session")
def region_data(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the region ingested and its marts built (``<dir>/marts``)."""

    def build(data_dir: Path) -> None:
        ingest_paths([region], data_dir)
        build_marts(data_dir)

    return built_once(tmp_path_factory, "region_data", build)


@pytest.fixture(scope="session")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's default: the three regions of the Utrecht care employers, generated once."""
    return built_once(tmp_path_factory, "area", lambda out: generate_region(out, seed=42))


@pytest.fixture(scope="session")
def area_data(area: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the three regions ingested and their marts built."""

    def build(data_dir: Path) -> None:
        ingest_paths([area], data_dir)
        build_marts(data_dir)

    return built_once(tmp_path_factory, "area_data", build)


@pytest.fixture
def own_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """A test's own copy of a shared session folder, for a test that writes into it."""

    def copy(folder: Path) -> Path:
        target = tmp_path / f"own_{folder.name}"
        shutil.copytree(folder, target, symlinks=True)
        return target

    return copy


def _forecast_copy(marts: Path, data_dir: Path, horizon: int) -> None:
    """The marts copied into ``data_dir`` and forecast there: the engine's baselines with two
    backtest folds, the real leaving model, supply projection and joint simulation."""
    from workforce.forecast.engine_run import baseline_settings
    from workforce.outlook.region_forecast import forecast_region

    shutil.copytree(marts, data_dir / "marts", symlinks=False)
    forecast_region(
        data_dir,
        baseline_settings(horizon),
        models_dir=data_dir / "models",
        paths=200,
        evaluate_leaving=False,
    )


@pytest.fixture(scope="session")
def region_forecast(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``region_data`` with a whole-region forecast (``forecasts/``, ``models/``)
    of 120 months, to 2035."""
    return built_once(
        tmp_path_factory,
        "region_forecast",
        lambda data_dir: _forecast_copy(region_data / "marts", data_dir, 120),
    )


@pytest.fixture(scope="session")
def area_forecast(area_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``area_data`` with the three regions' forecast, made as ``region_forecast``."""
    return built_once(
        tmp_path_factory,
        "area_forecast",
        lambda data_dir: _forecast_copy(area_data / "marts", data_dir, 120),
    )
