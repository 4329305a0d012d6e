"""The regions page: the three labour-market regions side by side, with a municipality map.

The notebook ``dashboards/regions.ipynb`` is::

    from workforce.dashboards.regions import RegionsApp
    app = RegionsApp.from_data_dir(); app.container
"""

from workforce.dashboards.regions.app import RegionsApp

__all__ = ["RegionsApp"]
