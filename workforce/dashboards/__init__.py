"""Voila dashboards: App classes behind the notebooks in ``dashboards/``, and their server.

Each App holds its widgets and Plotly ``FigureWidget``s, computes its numbers with package
functions and shows "geen gegevens" where data is missing; a notebook builds one App and shows
``app.container``. Importing this package stays light: import the App's module.
"""
