"""Forecast engine: estimators, rolling-origin backtests, model choice and calibrated intervals."""
