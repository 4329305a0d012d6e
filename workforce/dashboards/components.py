"""Prophet's components (trend, yearly season) of one series, from the model a run saved.

Loading Prophet takes seconds, so dashboards compute components only when asked. Nothing is
fitted: the saved model predicts over its own history and the forecast months.
"""

from __future__ import annotations

import warnings

import polars as pl

from workforce.dashboards.data import RegistryRun

COMPONENTS = ("trend", "yearly")
COMPONENT_SCHEMA = {"ds": pl.Date, "trend": pl.Float64, "yearly": pl.Float64}


def prophet_components(run: RegistryRun, unique_id: str, *, horizon: int) -> pl.DataFrame:
    """``ds, trend, yearly`` over history and ``horizon`` months ahead, in the series' units.

    Empty when the run saved no Prophet model for the series, or when the model's components
    are not in FTE (log transform or multiplicative season).
    """
    empty = pl.DataFrame(schema=COMPONENT_SCHEMA)
    models = run.manifest.get("prophet_models")
    if run.folder is None or not isinstance(models, dict) or unique_id not in models:
        return empty
    from workforce.forecast.registry import load_prophet

    with warnings.catch_warnings():  # pandas deprecations inside Prophet, not ours to fix
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            forecaster = load_prophet(run.folder, unique_id)
        except (OSError, ValueError, KeyError):
            return empty
        if forecaster.transform != "none" or forecaster.seasonality_mode != "additive":
            return empty
        predicted = forecaster.model_.predict(forecaster.future_frame(horizon))
    return pl.DataFrame(
        {
            "ds": predicted["ds"].dt.date.to_list(),
            "trend": predicted["trend"].to_numpy(dtype=float),
            "yearly": (
                predicted["yearly"].to_numpy(dtype=float)
                if "yearly" in predicted.columns
                else [0.0] * len(predicted)
            ),
        },
        schema=COMPONENT_SCHEMA,
    )
