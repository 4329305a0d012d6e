"""The generator's ``manifest.json`` behind a data folder's marts, if they were generated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GENERATOR = "workforce.synthetic"
"""The ``generator`` a generated region's ``manifest.json`` names."""
MANIFEST_DEPTH = 3
"""How many folders above an input file a generated region's ``manifest.json`` may be."""


def generated_manifest(data_dir: Path) -> dict[str, Any] | None:
    """The manifest of the generated region the marts of ``data_dir`` were built from.

    The marts' ``run.json`` lists their input files; a generated region keeps its
    ``manifest.json`` (seed, parameters, ground truth) beside them. None when the marts say
    nothing or came from other data.
    """
    try:
        run = json.loads((data_dir / "marts" / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    inputs = [item for item in run.get("inputs") or [] if isinstance(item, dict)]
    folders = sorted({Path(str(item["path"])).parent for item in inputs if item.get("path")})
    for folder in folders:
        manifest = manifest_above(folder)
        if manifest is not None:
            return manifest
    return None


def manifest_above(folder: Path) -> dict[str, Any] | None:
    """The generator's manifest in ``folder`` or up to :data:`MANIFEST_DEPTH` - 1 above it."""
    for candidate in [folder, *folder.parents][:MANIFEST_DEPTH]:
        path = candidate / "manifest.json"
        if not path.is_file():
            continue
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and str(manifest.get("generator", "")).startswith(GENERATOR):
            return manifest
        return None
    return None


def describe_generated(manifest: dict[str, Any]) -> str:
    """ "the generated region (seed 42, AM13)"-like words for a report."""
    params = manifest.get("params") or {}
    regions = params.get("regions") or params.get("region_code") or ""
    if isinstance(regions, list):
        regions = ", ".join(str(r) for r in regions)
    where = f", {regions}" if regions else ""
    return f"the generated region (seed {manifest.get('seed')}{where})"
