"""Pooled vacancies and the size of a regional flex pool.

Each employer that covers its own peaks in open vacancy FTE needs, per profession, its own
p-quantile of the monthly open FTE; a regional pool needs the p-quantile of the region's sum.
Peaks rarely coincide, so the pooled figure is lower: the pooling gain. A regional pool can
always be run as the separate pools side by side, so the pooled size is capped at the sum of
the separate ones and the gain is never negative (quantiles are not subadditive in general).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from workforce.privacy import DEFAULT_K, PUBLIC, TOTAL, Viewer, disclose, employer_view
from workforce.regional.data import RegionalMarts, last_month
from workforce.regional.network import DEFAULT_WINDOW_MONTHS, window_start

DEFAULT_COVERAGE = 0.9


def coverage_quantile(values: pl.Expr, p: float) -> pl.Expr:
    """The smallest observed value covering at least a share ``p`` of the observations.

    The inverted empirical distribution (numpy's ``inverted_cdf``): with 10 months and
    p = 0.9, the 9th smallest month, so the pool suffices in 9 months out of 10.
    """
    if not 0 < p <= 1:
        raise ValueError(f"coverage p must be in (0, 1], got {p}")
    position = ((values.len() * p) - 1e-9).ceil().cast(pl.Int64) - 1
    return values.sort().get(position.clip(0))


def open_fte_series(
    marts: RegionalMarts, *, months: int | None = DEFAULT_WINDOW_MONTHS
) -> pl.DataFrame:
    """Open vacancy FTE per month x employer x profession, zero in months without any.

    Columns: ``month, employer_id, profession_code, open_fte``.
    """
    start = window_start(marts, months)
    vacancies = marts.vacancies_monthly
    if start is not None:
        vacancies = vacancies.filter(pl.col("month") >= start)
    per_cell = vacancies.group_by("month", "employer_id", "profession_code").agg(pl.sum("open_fte"))
    grid = (
        per_cell.select("month")
        .unique()
        .join(per_cell.select("employer_id", "profession_code").unique(), how="cross")
    )
    return (
        grid.join(per_cell, on=["month", "employer_id", "profession_code"], how="left")
        .with_columns(pl.col("open_fte").fill_null(0.0))
        .sort("profession_code", "employer_id", "month")
    )


def flex_pool(
    series: pl.DataFrame,
    *,
    p: float = DEFAULT_COVERAGE,
    value: str = "open_fte",
    unit: str = "employer_id",
    by: Sequence[str] = ("profession_code",),
) -> pl.DataFrame:
    """Separate versus pooled cover of monthly peaks in ``value`` per ``by``.

    ``series`` has one row per ``month`` x ``unit`` x ``by`` (zeros included). Returns per
    ``by``: ``units, months, separate_fte`` (sum over units of each unit's p-quantile),
    ``pooled_fte`` (p-quantile of the monthly sum, at most separate), ``pooling_gain_fte``
    (separate - pooled, never negative) and ``pooling_gain_share`` (gain / separate).
    """
    by = list(by)
    separate = (
        series.group_by([*by, unit])
        .agg(peak=coverage_quantile(pl.col(value), p))
        .group_by(by)
        .agg(units=pl.len(), separate_fte=pl.col("peak").sum())
    )
    pooled = (
        series.group_by([*by, "month"])
        .agg(pl.col(value).sum())
        .group_by(by)
        .agg(months=pl.len(), pooled_quantile=coverage_quantile(pl.col(value), p))
    )
    return (
        separate.join(pooled, on=by)
        .with_columns(
            pooled_fte=pl.min_horizontal("pooled_quantile", "separate_fte"),
        )
        .with_columns(
            pooling_gain_fte=pl.col("separate_fte") - pl.col("pooled_fte"),
        )
        .with_columns(
            pooling_gain_share=pl.when(pl.col("separate_fte") > 0)
            .then(pl.col("pooling_gain_fte") / pl.col("separate_fte"))
            .otherwise(0.0),
        )
        .select(
            *by,
            pl.col("units").cast(pl.Int64),
            pl.col("months").cast(pl.Int64),
            "separate_fte",
            "pooled_fte",
            "pooling_gain_fte",
            "pooling_gain_share",
        )
        .sort(by)
    )


def vacancies_opened(
    marts: RegionalMarts, *, months: int | None = DEFAULT_WINDOW_MONTHS
) -> pl.DataFrame:
    """Vacancies opened in the window per employer and profession: ``employer_id,
    profession_code, vacancies``, the people a flex pool's figures rest on."""
    start = window_start(marts, months)
    vacancies = marts.vacancies_monthly
    if start is not None:
        vacancies = vacancies.filter(pl.col("month") >= start)
    return (
        vacancies.group_by("employer_id", "profession_code")
        .agg(vacancies=pl.col("opened").sum().cast(pl.Int64))
        .sort("employer_id", "profession_code")
    )


def flex_pool_sizing(
    marts: RegionalMarts,
    *,
    p: float = DEFAULT_COVERAGE,
    months: int | None = DEFAULT_WINDOW_MONTHS,
) -> pl.DataFrame:
    """Regional flex pool per profession over the window, plus a :data:`TOTAL` row.

    The total adds the professions up (staff do not stand in for another profession).
    ``units`` is the number of employers with any open vacancy in the profession;
    ``vacancies`` the vacancies opened in the window, the count disclosure control applies
    to (see :func:`~workforce.regional.outputs.disclosed_flex_pool`).
    """
    opened = (
        vacancies_opened(marts, months=months)
        .group_by("profession_code")
        .agg(pl.col("vacancies").sum())
    )
    per_profession = (
        flex_pool(open_fte_series(marts, months=months), p=p)
        .join(opened, on="profession_code", how="left")
        .with_columns(pl.col("vacancies").fill_null(0).cast(pl.Int64))
    )
    total = per_profession.select(
        pl.lit(TOTAL).alias("profession_code"),
        pl.col("units").max(),
        pl.col("months").max(),
        pl.col("separate_fte", "pooled_fte", "pooling_gain_fte").sum(),
        pl.col("vacancies").sum(),
    ).with_columns(
        pooling_gain_share=pl.when(pl.col("separate_fte") > 0)
        .then(pl.col("pooling_gain_fte") / pl.col("separate_fte"))
        .otherwise(0.0)
    )
    return pl.concat([per_profession, total.select(per_profession.columns)]).with_columns(
        coverage=pl.lit(p)
    )


POOLED_VACANCY_SUMS = ("fte", "open", "open_fte")
"""Columns of :func:`vacancy_cells` that add up to a total like the headcount."""


def vacancy_cells(marts: RegionalMarts, *, month: dt.date | None = None) -> pl.DataFrame:
    """Staff and open vacancies per employer and profession in one month (default the last),
    before disclosure control: ``employer_id, profession_code, headcount, fte, open,
    open_fte``."""
    month = month or last_month(marts)
    staff = (
        marts.workforce_monthly.filter(pl.col("month") == month)
        .group_by("employer_id", "profession_code")
        .agg(pl.sum("headcount", "fte"))
    )
    open_now = (
        marts.vacancies_monthly.filter(pl.col("month") == month)
        .group_by("employer_id", "profession_code")
        .agg(pl.sum("open", "open_fte"))
    )
    return staff.join(
        open_now, on=["employer_id", "profession_code"], how="full", coalesce=True
    ).with_columns(
        pl.col("headcount", "open").fill_null(0), pl.col("fte", "open_fte").fill_null(0.0)
    )


def with_vacancy_rates(published: pl.DataFrame) -> pl.DataFrame:
    """Vacancy rates (per person and per FTE) of disclosed :func:`vacancy_cells`."""
    return published.with_columns(
        vacancy_rate=pl.col("open") / (pl.col("headcount") + pl.col("open")),
        vacancy_rate_fte=pl.col("open_fte") / (pl.col("fte") + pl.col("open_fte")),
    ).with_columns(pl.col("vacancy_rate", "vacancy_rate_fte").fill_nan(None))


@employer_view(count="headcount", dims=("employer_id", "profession_code"))
def pooled_vacancies(
    marts: RegionalMarts,
    *,
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    month: dt.date | None = None,
) -> pl.DataFrame:
    """Open vacancies per employer and profession next to the region's, in one month.

    Columns: ``employer_id, profession_code, headcount, fte, open, open_fte, suppressed,
    vacancy_rate, vacancy_rate_fte``; ``employer_id == total`` holds the region-wide pool.
    """
    published = disclose(
        vacancy_cells(marts, month=month),
        dims=["employer_id", "profession_code"],
        count="headcount",
        sums=POOLED_VACANCY_SUMS,
        k=k,
        viewer=viewer,
    )
    return with_vacancy_rates(published)
