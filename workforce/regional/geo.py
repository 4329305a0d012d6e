"""Boundaries of the municipalities and labour-market regions, for maps drawn without tiles.

The generalised CBS/PDOK boundaries kept in ``data/reference/`` (see its ``SOURCES.md``) are
read as outlines in longitude and latitude; a map draws them as filled shapes on plain axes, so
it needs no map tiles or network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workforce.reference import reference_dir

MUNICIPALITY_BOUNDARIES = "municipalities_utrecht_area_2025.geojson"
REGION_BOUNDARIES = "labour_market_regions_utrecht_area_2025.geojson"
BOUNDARY_SOURCE = "Bron: CBS / PDOK, gegeneraliseerde gemeentegrenzen 2025 (CC BY 4.0)"


@dataclass(frozen=True)
class Shape:
    """One area's outline: its code, name and rings of (longitude, latitude) points."""

    code: str
    name: str
    rings: list[list[tuple[float, float]]]

    @property
    def centre(self) -> tuple[float, float]:
        """The mean of its outer ring's points (a label position)."""
        ring = max(self.rings, key=len)
        return (
            sum(p[0] for p in ring) / len(ring),
            sum(p[1] for p in ring) / len(ring),
        )


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    coordinates = geometry["coordinates"]
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]


def read_shapes(path: Path) -> dict[str, Shape]:
    """Shapes of a GeoJSON file by their ``statcode``; empty when the file is absent."""
    if not path.is_file():
        return {}
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {
        feature["properties"]["statcode"]: Shape(
            code=feature["properties"]["statcode"],
            name=feature["properties"]["statnaam"],
            rings=_rings(feature["geometry"]),
        )
        for feature in features
    }


def municipality_shapes(directory: Path | None = None) -> dict[str, Shape]:
    """Municipality outlines by CBS code."""
    return read_shapes((directory or reference_dir()) / MUNICIPALITY_BOUNDARIES)


def region_shapes(directory: Path | None = None) -> dict[str, Shape]:
    """Labour-market region outlines by ``AMnn`` code."""
    return read_shapes((directory or reference_dir()) / REGION_BOUNDARIES)
