"""What a page kernel costs: the dashboards load without the modelling libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("prophet", "cmdstanpy", "sklearn", "scipy.stats", "pandera", "pandas")
"""Libraries for fitting and checking that a page showing finished outputs never needs."""


@pytest.mark.parametrize(
    "page",
    [
        "workforce.dashboards.regional_employer",
        "workforce.dashboards.training_alignment",
        "workforce.dashboards.explorer",
    ],
)
def test_a_page_module_loads_without_the_modelling_libraries(page: str) -> None:
    code = f"import sys, {page}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"{page} loads {', '.join(loaded)} when imported"


def test_the_written_out_normal_scores_are_scipys() -> None:
    from scipy.stats import norm

    from workforce.forecast.shortage import Z80, Z95

    assert float(norm.ppf(0.9)) == Z80
    assert float(norm.ppf(0.975)) == Z95
