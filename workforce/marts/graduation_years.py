"""When the students of running cohorts are expected to graduate: the ``graduations`` mart.

The education pipeline expects a number of graduates per running cohort, but not all in one
year: students graduate at the programme's nominal length or one, two or more years later. How
many take longer is read from the cohorts themselves. In one extract every cohort is seen at
some number of years past its nominal length (its *delay*); per level, the graduates it has so
far against the graduates it is expected to have in the end give the share that graduates by
that delay. The graduates a running cohort still expects are spread over the delays it has not
reached, in proportion to how that share grows there.

Graduations happen in summer: an extract taken from August on has seen that year's graduates.
"""

from __future__ import annotations

import polars as pl

from workforce.reference import Reference

GRADUATION_MONTH = 7
"""Graduates of a year count from this month on (diplomas are handed out in June and July)."""

SCHEDULE_SCHEMA = {"level": pl.String, "delay": pl.Int64, "share": pl.Float64}
GRADUATIONS_SCHEMA = {
    "cohort_year": pl.Int64,
    "programme_code": pl.String,
    "institution_code": pl.String,
    "level": pl.String,
    "graduation_year": pl.Int64,
    "expected_graduates": pl.Float64,
}


def _with_delay(
    pipeline: pl.DataFrame, extracts: pl.DataFrame, reference: Reference
) -> pl.DataFrame:
    """Add ``nominal``, ``last_season`` (the last graduation year the extract has seen) and
    ``delay``: years past the nominal graduation year at that season (negative: not reached)."""
    extract = pl.col("extract_date")
    last_season = extract.dt.year() - (extract.dt.month() <= GRADUATION_MONTH).cast(pl.Int64)
    nominal = reference.programmes.select(
        "programme_code", nominal=pl.col("nominal_years").round().cast(pl.Int64)
    )
    return (
        pipeline.join(extracts.select("institution_code", "extract_date"), on="institution_code")
        .join(nominal, on="programme_code")
        .with_columns(last_season=last_season)
        .with_columns(delay=pl.col("last_season") - pl.col("cohort_year") - pl.col("nominal"))
    )


def graduation_schedule(cohorts: pl.DataFrame) -> pl.DataFrame:
    """Per level and delay: the share of a cohort's graduates who have graduated by then.

    ``cohorts`` has ``level, delay, graduates, expected_graduates`` (one extract, so each cohort
    is seen at one delay). The share is pooled over the cohorts seen at each delay and never
    falls with the delay; it ends at 1 one delay after the last one seen.
    """
    seen = (
        cohorts.filter(pl.col("expected_graduates") > 0)
        .group_by("level", "delay")
        .agg(share=pl.col("graduates").sum() / pl.col("expected_graduates").sum())
        .sort("level", "delay")
        .with_columns(share=pl.col("share").clip(0.0, 1.0).cum_max().over("level"))
    )
    complete = seen.group_by("level").agg(delay=pl.col("delay").max() + 1, share=pl.lit(1.0))
    return (
        pl.concat([seen, complete.select(seen.columns)])
        .cast(SCHEDULE_SCHEMA)  # type: ignore[arg-type]
        .sort("level", "delay")
    )


def expected_graduations(
    pipeline: pl.DataFrame, extracts: pl.DataFrame, reference: Reference
) -> pl.DataFrame:
    """The graduates each running cohort still expects, per graduation year.

    ``pipeline`` is the ``education_pipeline`` mart; ``extracts`` holds per institution its
    latest ``extract_date``. Per running cohort the rows add up to its expected graduates less
    its graduates so far. A cohort already past every delay its level shows still graduates
    its remaining students in the next graduation year.
    """
    cohorts = _with_delay(pipeline, extracts, reference)
    schedule = graduation_schedule(cohorts).with_columns(
        step=pl.col("share") - pl.col("share").shift(1, fill_value=0.0).over("level")
    )
    key = ["cohort_year", "programme_code", "institution_code"]
    running = cohorts.filter(~pl.col("finished")).with_columns(
        remaining=(pl.col("expected_graduates") - pl.col("graduates")).clip(0.0, None)
    )
    spread = (
        running.join(schedule.rename({"delay": "future_delay"}), on="level")
        .filter((pl.col("future_delay") > pl.col("delay")) & (pl.col("step") > 0))
        .with_columns(weight=pl.col("step") / pl.col("step").sum().over(key))
        .select(
            *key,
            "level",
            graduation_year=pl.col("cohort_year") + pl.col("nominal") + pl.col("future_delay"),
            expected_graduates=pl.col("remaining") * pl.col("weight"),
        )
    )
    next_year = running.join(spread.select(key).unique(), on=key, how="anti").select(
        *key,
        "level",
        graduation_year=pl.col("last_season") + 1,
        expected_graduates=pl.col("remaining"),
    )
    return (
        pl.concat([spread, next_year])
        .filter(pl.col("expected_graduates") > 0)
        .with_columns(pl.col("expected_graduates").round(2))
        .cast(GRADUATIONS_SCHEMA)  # type: ignore[arg-type]
        .sort(*key, "graduation_year")
    )
