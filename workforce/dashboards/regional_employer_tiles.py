"""The regional-employer page's headline tiles: staff, vacancies, turnover, the shortage ahead.

Every tile says its unit and scope; a negative shortage is said as a surplus.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from workforce.dashboards.format import (
    Language,
    format_interval_words,
    format_month,
    format_number,
    format_percent,
    signed_amount,
)
from workforce.dashboards.page_text import text
from workforce.dashboards.regional_employer_data import RegionalHeadlines, flex_total
from workforce.dashboards.widgets import headline_tile, set_tile

SHORTAGE_TILES = ("shortage_1", "shortage_3", "shortage_horizon")
"""The shortage 1 and 3 years ahead and at the horizon chosen (1, 2 and 3 years for a horizon
of three years or less)."""
TILES = (
    "headcount",
    "fte",
    "open_vacancies",
    "vacancy_rate",
    "turnover",
    *SHORTAGE_TILES,
    "scenario_at_horizon",
    "flex_gain",
)


class HeadlineTiles:
    """The page's tiles by name (:data:`TILES`), filled by :meth:`show` and
    :meth:`show_scenario`."""

    def __init__(self) -> None:
        self.tiles = {name: headline_tile("", "") for name in TILES}

    def show_scenario(
        self, node: pl.DataFrame, rows: pl.DataFrame | None, language: Language
    ) -> None:
        """The scenario's shortage at the horizon (``node`` up to the horizon) and how much it
        reduces the forecast's; a dash while the sliders are at zero."""
        title = text("scenario_at_horizon", language)
        if rows is None or rows.is_empty() or node.is_empty():
            set_tile(self.tiles["scenario_at_horizon"], title, "\u2013", "")
            return
        end = rows.row(-1, named=True)
        baseline = node.filter(pl.col("month") == end["month"])
        note = format_month(end["month"], language)
        if baseline.height:
            reduction = float(baseline["shortage_fte"][0]) - float(end["shortage_fte"])
            note += " · " + text(
                "reduction", language, value=format_number(reduction, language=language)
            )
        set_tile(
            self.tiles["scenario_at_horizon"],
            title,
            signed_amount(end["shortage_fte"], "fte", language),
            note,
        )

    def show(
        self,
        headlines: RegionalHeadlines,
        *,
        scope: str,
        flex_pool: pl.DataFrame | None,
        language: Language,
    ) -> None:
        """The node's headline figures (``scope`` names it) and the flex pool's gain."""
        month = f"{_month_text(headlines.month, language)} · {scope}"
        set_tile(
            self.tiles["headcount"],
            text("headcount", language),
            f"{format_number(headlines.headcount, language=language)} "
            f"{text('persons_unit', language)}",
            month,
        )
        per_person = (
            headlines.fte / headlines.headcount
            if headlines.fte is not None and headlines.headcount
            else None
        )
        set_tile(
            self.tiles["fte"],
            text("fte", language),
            f"{format_number(headlines.fte, language=language)} {text('fte_unit', language)}",
            text(
                "fte_per_person",
                language,
                value=format_number(per_person, digits=2, language=language),
            ),
        )
        set_tile(
            self.tiles["open_vacancies"],
            text("open_vacancies", language),
            format_number(headlines.open, language=language),
            month,
        )
        set_tile(
            self.tiles["vacancy_rate"],
            text("vacancy_rate", language),
            format_percent(headlines.vacancy_rate, language=language),
            text("vacancy_rate_note", language),
        )
        set_tile(
            self.tiles["turnover"],
            text("turnover", language),
            f"{format_percent(headlines.turnover_rate_12m, language=language)} / "
            f"{format_percent(headlines.internal_mobility_rate_12m, language=language)}",
            text("last_12_months", language),
        )
        for name, at in zip(SHORTAGE_TILES, headlines.shortage, strict=True):
            title = (
                text("shortage_in_1", language)
                if at.years == 1
                else text("shortage_in", language, n=at.years)
            )
            note = format_interval_words(at.lo_80, at.hi_80, "fte", language=language)
            if at.month is not None:
                note = f"{format_month(at.month, language)} · {note}"
            set_tile(self.tiles[name], title, signed_amount(at.fte, "fte", language), note)
        total = flex_total(flex_pool)
        set_tile(
            self.tiles["flex_gain"],
            text("flex_gain", language),
            signed_amount(total["pooling_gain_fte"] if total else None, "fte", language),
            (
                f"{format_number(total['separate_fte'], language=language)} \u2192 "
                f"{format_number(total['pooled_fte'], language=language)} "
                f"{text('fte_unit', language)}"
                if total
                else ""
            ),
        )


def _month_text(month: str | None, language: Language) -> str:
    """``2025-12`` (as ``workforce regional`` writes it) as ``dec. 2025``."""
    if not month:
        return ""
    try:
        return format_month(dt.date.fromisoformat(f"{month}-01"), language)
    except ValueError:
        return month
