"""Evaluation: the engine's accuracy reports, backtests of the outlook from past origins, and the
real open-data series they use."""
