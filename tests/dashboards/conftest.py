"""A data folder with marts, a small demand forecast and a registry run, made once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.demo import DemoData, prepare_demo_forecast


@pytest.fixture(scope="session")
def dashboard_data(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoData:
    """The generated region's marts plus a quick forecast of six series (two sectors)."""
    folder = tmp_path_factory.mktemp("dashboard_data")
    shutil.copytree(region_data / "marts", folder / "marts")
    return prepare_demo_forecast(folder, workers=1)


@pytest.fixture(scope="session")
def prophet_data(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoData:
    """Two series forecast with Prophet among the candidates, its models saved in the run."""
    folder = tmp_path_factory.mktemp("dashboard_prophet")
    shutil.copytree(region_data / "marts", folder / "marts")
    return prepare_demo_forecast(folder, per_sector=1, with_prophet=True, workers=1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, never downloaded) per test module."""
    from playwright import sync_api

    from tests.support.browser import launch_chromium

    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
