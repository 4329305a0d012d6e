"""The generator's manifest found from a data folder's marts, and only the generator's."""

from __future__ import annotations

import json
from pathlib import Path

from workforce.generator_manifest import describe_generated, generated_manifest


def marts_from(data_dir: Path, raw: Path) -> None:
    (data_dir / "marts").mkdir(parents=True)
    run = {"inputs": [{"path": str(raw / "staff" / "JZG-01_2025-12-31.csv"), "source": "staff"}]}
    (data_dir / "marts" / "run.json").write_text(json.dumps(run))


def test_marts_built_from_a_generated_region_name_its_seed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "staff").mkdir(parents=True)
    manifest = {
        "generator": "workforce.synthetic 0.1",
        "seed": 1234,
        "params": {"region_code": "AM13"},
    }
    (raw / "manifest.json").write_text(json.dumps(manifest))
    marts_from(tmp_path / "data", raw)
    found = generated_manifest(tmp_path / "data")
    assert found is not None
    assert describe_generated(found) == "the generated region (seed 1234, AM13)"


def test_other_data_and_other_manifests_are_not_called_generated(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "staff").mkdir(parents=True)
    (raw / "manifest.json").write_text(json.dumps({"generator": "an HR export tool"}))
    marts_from(tmp_path / "data", raw)
    assert generated_manifest(tmp_path / "data") is None
    assert generated_manifest(tmp_path / "nothing") is None
