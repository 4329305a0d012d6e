"""The regions page: the three labour-market regions side by side, with a municipality map.

The notebook ``dashboards/regions.ipynb`` is::

    from workforce.dashboards.regions import RegionsApp
    app = RegionsApp.from_data_dir(); app.container

``RegionsApp`` is imported on first use, so that the server can read the page's texts
(:mod:`.texts`) without loading the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workforce.dashboards.regions.app import RegionsApp

__all__ = ["RegionsApp"]


def __getattr__(name: str) -> Any:
    if name == "RegionsApp":
        from workforce.dashboards.regions.app import RegionsApp

        return RegionsApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
