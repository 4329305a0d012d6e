"""Where graduates go: per programme, the share of its graduates hired into each regional
profession and sector, and how many of those hires are still in regional care after one and
two years.

The staff extracts record that a hire came straight from education (``hire_origin =
education``), in which profession and sector, but not which diploma: hires into a profession
are attributed to the programmes that feed it in proportion to the graduates each was
expected to send it (graduates x reference entry share) over the same years. A programme's
observed share is therefore the reference share times what the region measured for the
profession; where a profession has few graduate hires, the reference share stands alone.

Cells compare employers' hiring, so the table is disclosure-controlled
(:func:`workforce.privacy.disclose`): a profession x sector cell with fewer than ``k`` hires,
or with two employers of which one hired fewer than ``k``, is hidden with every cell that
would reveal it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from workforce.privacy import DEFAULT_K, TOTAL, disclose, two_contributor_cells
from workforce.reference import Reference

DESTINATION_YEARS = 5
"""Years of graduate hires (up to the origin) behind the destinations."""


def _still_in_care(hires: pl.DataFrame, spells: pl.DataFrame, days: int) -> pl.DataFrame:
    """Per hire: whether the person has a regional care spell ``days`` after starting."""
    later = spells.select("person_key", s="start_date", e="end_date")
    checked = (
        hires.select("hire", "person_key", at=pl.col("start_date") + pl.duration(days=days))
        .join(later, on="person_key")
        .filter(
            (pl.col("s") <= pl.col("at")) & (pl.col("e").is_null() | (pl.col("e") > pl.col("at")))
        )
        .select("hire")
        .unique()
        .with_columns(stayed=pl.lit(True))
    )
    return (
        hires.select("hire")
        .join(checked, on="hire", how="left")
        .select("hire", pl.col("stayed").fill_null(False))
    )


def graduate_destinations(
    spells: pl.DataFrame,
    pipeline: pl.DataFrame,
    reference: Reference,
    origin: dt.date,
    *,
    years: int = DESTINATION_YEARS,
    k: int = DEFAULT_K,
) -> pl.DataFrame:
    """Graduate destinations per programme x profession x sector, disclosure-controlled.

    Columns: ``programme_code``, ``profession_code``, ``sector_code``, ``hires`` (graduate
    hires into the profession and sector, all programmes), ``programme_share`` (of those
    attributed to this programme), ``graduates_hired`` (attributed), ``share_of_graduates``
    (attributed hires over the programme's graduates in the same years), ``retention_1y`` and
    ``retention_2y`` (share of the cell's hires still in regional care after one and two
    years, over the hires old enough to tell) and ``suppressed``.
    """
    until = origin
    since = dt.date(origin.year - years, origin.month, 1)
    hires = (
        spells.filter(
            (pl.col("hire_origin") == "education")
            & (pl.col("start_date") > since)
            & (pl.col("start_date") <= until)
        )
        .with_row_index("hire")
        .select("hire", "person_key", "employer_id", "profession_code", "sector_code", "start_date")
    )
    one = _still_in_care(hires, spells, 365).rename({"stayed": "stayed_1y"})
    two = _still_in_care(hires, spells, 730).rename({"stayed": "stayed_2y"})
    hires = hires.join(one, on="hire").join(two, on="hire")
    old_1y = pl.col("start_date") <= until - dt.timedelta(days=365)
    old_2y = pl.col("start_date") <= until - dt.timedelta(days=730)
    cells = hires.group_by("profession_code", "sector_code").agg(
        hires=pl.len(),
        stayed_1y=(pl.col("stayed_1y") & old_1y).sum(),
        known_1y=old_1y.sum(),
        stayed_2y=(pl.col("stayed_2y") & old_2y).sum(),
        known_2y=old_2y.sum(),
    )
    contributions = hires.group_by("profession_code", "sector_code", "employer_id").agg(
        hires=pl.len()
    )
    sensitive = two_contributor_cells(
        contributions, ["profession_code", "sector_code"], count="hires", k=k
    )
    shown = disclose(
        cells.join(sensitive, on=["profession_code", "sector_code"], how="left").with_columns(
            pl.col("sensitive").fill_null(False)
        ),
        dims=["profession_code", "sector_code"],
        count="hires",
        sums=["stayed_1y", "known_1y", "stayed_2y", "known_2y"],
        margins=["sector_code"],
        k=k,
        sensitive="sensitive",
    ).filter(pl.col("sector_code") != TOTAL)
    nominal = reference.programmes.select("programme_code", "nominal_years")
    graduates = (
        pipeline.join(nominal, on="programme_code", how="left")
        .with_columns(graduation_year=pl.col("cohort_year") + pl.col("nominal_years"))
        .filter(pl.col("graduation_year").is_between(since.year + 1, until.year))
        .group_by("programme_code")
        .agg(graduates=pl.col("graduates").sum().cast(pl.Float64))
    )
    expected = (
        graduates.join(
            reference.programme_professions.select(
                "programme_code", "profession_code", "entry_share"
            ),
            on="programme_code",
        )
        .with_columns(expected=pl.col("graduates") * pl.col("entry_share"))
        .with_columns(
            programme_share=pl.col("expected") / pl.col("expected").sum().over("profession_code")
        )
    )
    return (
        expected.join(shown, on="profession_code")
        .select(
            "programme_code",
            "profession_code",
            "sector_code",
            pl.col("hires").cast(pl.Int64),
            "programme_share",
            graduates_hired=pl.col("hires") * pl.col("programme_share"),
            share_of_graduates=pl.col("hires") * pl.col("programme_share") / pl.col("graduates"),
            retention_1y=pl.when(pl.col("known_1y") > 0).then(
                pl.col("stayed_1y") / pl.col("known_1y")
            ),
            retention_2y=pl.when(pl.col("known_2y") > 0).then(
                pl.col("stayed_2y") / pl.col("known_2y")
            ),
            suppressed="suppressed",
        )
        .sort("programme_code", "profession_code", "sector_code")
    )


def graduate_hires(
    spells: pl.DataFrame, origin: dt.date, *, years: int = DESTINATION_YEARS
) -> pl.DataFrame:
    """Graduate hires per profession over the destination years (what an observed share rests
    on): ``profession_code``, ``graduate_hires``."""
    since = dt.date(origin.year - years, origin.month, 1)
    return (
        spells.filter(
            (pl.col("hire_origin") == "education")
            & (pl.col("start_date") > since)
            & (pl.col("start_date") <= origin)
        )
        .group_by("profession_code")
        .agg(graduate_hires=pl.len().cast(pl.Int64))
    )
