"""Voila dashboards: App classes behind the notebooks in ``dashboards/``, and their server.

Every page is an :class:`~workforce.dashboards.app.App`: it holds its widgets, computes its
numbers with package functions, shows each chart whole in an ``Output`` and shows "geen gegevens"
where data is missing; a notebook builds one App and shows ``app.container``. Importing this
package stays light: import the App's module.
"""
