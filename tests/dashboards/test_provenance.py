"""Where a page's numbers come from: the demo banner finds the generator's manifest from
wherever the page's kernel runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workforce.dashboards.provenance import read_provenance
from workforce.generator_manifest import GENERATOR


def _project(root: Path, *, generated: bool) -> Path:
    """A project as ``make run`` leaves it: ``data/raw`` ingested from the project folder,
    so the build records the inputs' paths relative to it."""
    raw = root / "data" / "raw" / "staff"
    raw.mkdir(parents=True)
    if generated:
        manifest = {"generator": f"{GENERATOR} 0.1.0", "params": {"seed": 42}}
        (root / "data" / "raw" / "manifest.json").write_text(json.dumps(manifest))
    marts = root / "data" / "marts"
    marts.mkdir()
    inputs = [
        {"path": "data/raw/staff/VVT-01_2025-12-31.csv", "source": "staff",
         "extract_date": "2025-12-31"},
        {"path": "data/raw/staff/GGZ-02_2025-11-30.csv", "source": "staff",
         "extract_date": "2025-11-30"},
    ]  # fmt: skip
    run = {"built_at": "2026-01-05T10:00:00", "inputs": inputs}
    (marts / "run.json").write_text(json.dumps(run))
    (root / "dashboards").mkdir()
    return root / "data"


@pytest.mark.parametrize("generated", [True, False])
def test_the_demo_is_recognised_from_the_dashboards_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated: bool
) -> None:
    data_dir = _project(tmp_path, generated=generated)
    monkeypatch.chdir(tmp_path / "dashboards")  # where Voila runs a page's kernel
    provenance = read_provenance(data_dir)
    assert provenance.demo is generated
    assert provenance.employers == 2
    assert provenance.reference_date is not None
    assert provenance.reference_date.isoformat() == "2025-12-31"
