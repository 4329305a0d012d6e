"""The generated region's outputs match the committed fingerprint (``tests/fingerprint.json``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.fingerprint import FINGERPRINT, differences, fingerprint, outputs
from workforce.regional import write_regional

REGENERATE = "python -m tests.fingerprint --write"


@pytest.mark.slow
def test_outputs_match_the_committed_fingerprint(region_forecast: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(region_forecast, data_dir, symlinks=True)
    write_regional(data_dir)
    lines = differences(json.loads(FINGERPRINT.read_text()), fingerprint(outputs(data_dir)))
    assert not lines, f"outputs changed; if that is meant, run `{REGENERATE}`:\n" + "\n".join(lines)


def test_a_changed_value_a_lost_row_and_a_new_output_are_reported() -> None:
    before = pl.DataFrame({"employer_id": ["A", "B"], "headcount": [10, 12], "fte": [7.5, 9.0]})
    after = pl.DataFrame({"employer_id": ["A"], "headcount": [11], "fte": [7.5]})
    lines = differences(
        fingerprint({"marts/workforce_monthly": before}),
        fingerprint({"marts/workforce_monthly": after, "forecasts/supply": after}),
    )
    assert lines == [
        "forecasts/supply: new output",
        "marts/workforce_monthly: rows 2 -> 1",
        "marts/workforce_monthly.fte: sum 16.5 -> 7.5",
        "marts/workforce_monthly.headcount: sum 22.0 -> 11.0",
    ]


def test_rounding_noise_is_not_a_difference() -> None:
    frame = pl.DataFrame({"fte": [0.1, 0.2, 0.3]})
    noisy = frame.with_columns(pl.col("fte") * (1 + 1e-12))
    assert not differences(fingerprint({"f": frame}), fingerprint({"f": noisy}))


def test_noise_in_a_small_difference_of_large_columns_is_not_a_difference() -> None:
    frame = pl.DataFrame({"demand": [3e6, 3e6], "other": [10_000.0, 11_000.0]})
    noisy = frame.with_columns(pl.col("other") + 0.05)
    changed = frame.with_columns(pl.col("other") * 1.01)
    assert not differences(fingerprint({"f": frame}), fingerprint({"f": noisy}))
    assert differences(fingerprint({"f": frame}), fingerprint({"f": changed}))
