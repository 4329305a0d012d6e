"""Numbers, dates and labels the Dutch way (1.234,5 · jan. 2026), with an English switch."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from workforce.language import Language

MISSING = "\u2013"
"""Shown instead of a number that does not exist (no data, division by zero)."""

_MONTHS = {
    Language.nl: (
        "jan.", "feb.", "mrt.", "apr.", "mei", "jun.",
        "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
    ),
    Language.en: (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ),
}  # fmt: skip

LABELS: dict[str, dict[Language, str]] = {
    "no_data": {Language.nl: "geen gegevens", Language.en: "no data"},
    "region": {Language.nl: "Regio", Language.en: "Region"},
    "sector": {Language.nl: "Branche", Language.en: "Sector"},
    "profession": {Language.nl: "Beroep", Language.en: "Profession"},
    "all_sector": {Language.nl: "Alle branches", Language.en: "All sectors"},
    "all_profession": {Language.nl: "Alle beroepen", Language.en: "All professions"},
    "all_region": {Language.nl: "Alle regio's", Language.en: "All regions"},
    "language": {Language.nl: "Taal", Language.en: "Language"},
    "history": {Language.nl: "Gerealiseerd", Language.en: "Actual"},
    "forecast": {Language.nl: "Prognose", Language.en: "Forecast"},
    "interval_80": {Language.nl: "80%-interval", Language.en: "80% interval"},
    "interval_95": {Language.nl: "95%-interval", Language.en: "95% interval"},
    "supply": {Language.nl: "Aanbod (prognose)", Language.en: "Supply (projected)"},
    "supply_interval_80": {Language.nl: "Aanbod 80%-interval", Language.en: "Supply 80% interval"},
    "shortage_end": {Language.nl: "Tekort einde horizon", Language.en: "Shortage at horizon"},
    "required_fte": {Language.nl: "Benodigde fte", Language.en: "Required FTE"},
    "fte_unit": {Language.nl: "fte", Language.en: "FTE"},
    "no_supply": {
        Language.nl: "geen aanbodprognose voor deze reeks",
        Language.en: "no supply projection for this series",
    },
    "month": {Language.nl: "Maand", Language.en: "Month"},
    "last_actual": {
        Language.nl: "Benodigde fte, laatst gerealiseerd",
        Language.en: "Required FTE, latest actual",
    },
    "forecast_end": {
        Language.nl: "Benodigde fte, einde horizon",
        Language.en: "Required FTE at horizon",
    },
    "change": {Language.nl: "Verandering", Language.en: "Change"},
    "mase_chosen": {
        Language.nl: "Voorspelfout gekozen model",
        Language.en: "Forecast error of the chosen model (MASE)",
    },
    "lower_is_better": {Language.nl: "lager is beter", Language.en: "lower is better"},
    "gain_over_naive": {
        Language.nl: "Beter dan de eenvoudigste voorspelling",
        Language.en: "Better than the simplest forecast",
    },
    "model": {Language.nl: "Model", Language.en: "Model"},
    "chosen_model": {Language.nl: "Gekozen model", Language.en: "Chosen model"},
    "reason": {Language.nl: "Reden", Language.en: "Reason"},
    "weights": {Language.nl: "Gewichten", Language.en: "Weights"},
    "backtest": {
        Language.nl: "Voorspelfout per model in de proefperiodes (lager is beter)",
        Language.en: "Forecast error per model in the trial periods (MASE, lower is better)",
    },
    "coverage": {Language.nl: "Dekking 80% / 95%", Language.en: "Coverage 80% / 95%"},
    "run": {Language.nl: "Berekend", Language.en: "Computed"},
    "version": {Language.nl: "versie", Language.en: "version"},
    "model_chosen": {Language.nl: "gekozen (geleverd)", Language.en: "chosen (delivered)"},
    "model_naive": {Language.nl: "laatste waarde aangehouden", Language.en: "naive"},
    "model_seasonal_naive": {
        Language.nl: "zelfde maand vorig jaar",
        Language.en: "seasonal naive",
    },
    "model_drift": {Language.nl: "lijn van begin tot nu doorgetrokken", Language.en: "drift"},
    "model_damped_ets": {Language.nl: "afvlakkende trend", Language.en: "damped ETS"},
    "model_theta": {Language.nl: "recent niveau met trend", Language.en: "theta"},
    "model_prophet": {
        Language.nl: "trend, seizoen en bevolkingsgroei",
        Language.en: "Prophet",
    },
    "show_components": {
        Language.nl: "Toon de opbouw: trend en jaarseizoen",
        Language.en: "Show components (Prophet)",
    },
    "components": {
        Language.nl: "Opbouw van de voorspelling met seizoen: trend (boven) en jaarseizoen "
        "(onder), fte",
        Language.en: "Prophet components: trend (top) and yearly season (bottom), FTE",
    },
    "component_trend": {Language.nl: "Trend", Language.en: "Trend"},
    "component_yearly": {Language.nl: "Jaarseizoen", Language.en: "Yearly season"},
    "explorer_title": {
        Language.nl: "Prognoseverkenner vraag naar personeel",
        Language.en: "Workforce demand forecast explorer",
    },
}
"""Screen labels by key and language; Dutch is the default."""


def label(key: str, language: Language = Language.nl) -> str:
    """The screen label ``key`` in ``language``."""
    return LABELS[key][language]


def model_label(model: str, language: Language = Language.nl) -> str:
    """The screen name of a forecast model (its code name when there is no label)."""
    labels = LABELS.get(f"model_{model}")
    return labels[language] if labels else model


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: float | None, *, digits: int = 0, language: Language = Language.nl) -> str:
    """``1234.5`` as ``1.234,5`` (Dutch) or ``1,234.5`` (English); missing values as a dash.

    Halves round away from zero (``0,5`` to ``1``), as in published statistics.
    """
    if _is_missing(value):
        return MISSING
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{digits}f}"
    if language is Language.en:
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_percent(
    fraction: float | None,
    *,
    digits: int = 1,
    signed: bool = False,
    language: Language = Language.nl,
) -> str:
    """A fraction as a percentage: ``0.123`` as ``12,3%``, with a ``+`` when ``signed``."""
    if _is_missing(fraction):
        return MISSING
    assert fraction is not None
    text = format_number(abs(fraction) * 100, digits=digits, language=language) + "%"
    if fraction < 0 and text.strip("0,.%"):
        return "-" + text
    return ("+" + text) if signed else text


def format_interval(
    low: float | None,
    high: float | None,
    *,
    level: int = 80,
    digits: int = 0,
    language: Language = Language.nl,
) -> str:
    """An interval as ``80%: 1.460 \u2013 1.537``; empty when a bound is missing."""
    if _is_missing(low) or _is_missing(high):
        return ""
    lo = format_number(low, digits=digits, language=language)
    hi = format_number(high, digits=digits, language=language)
    return f"{level}%: {lo} \u2013 {hi}"


def format_month(day: dt.date | None, language: Language = Language.nl) -> str:
    """A month as ``jan. 2026`` (Dutch) or ``Jan 2026`` (English)."""
    if day is None:
        return MISSING
    return f"{_MONTHS[language][day.month - 1]} {day.year}"


def format_date(day: dt.date | None, language: Language = Language.nl) -> str:
    """A day as ``5 jan. 2026`` (Dutch) or ``5 Jan 2026`` (English)."""
    if day is None:
        return MISSING
    return f"{day.day} {format_month(day, language)}"


def format_run(run_id: str, language: Language = Language.nl) -> str:
    """A model run's id (``20261207T133157Z``, its UTC start) as ``7 dec. 2026 13:31``; an id of
    another form as it is, a missing one as a dash."""
    if not run_id:
        return MISSING
    try:
        started = dt.datetime.strptime(run_id.rstrip("Z")[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        return run_id
    return f"{format_date(started.date(), language)} {started:%H:%M}"


UNITS: dict[str, dict[Language, str]] = {
    "fte": {Language.nl: "fte", Language.en: "FTE"},
    "persons": {Language.nl: "personen", Language.en: "persons"},
}
SURPLUS = {Language.nl: "overschot", Language.en: "surplus"}


def signed_amount(
    value: float | None, unit: str, language: Language = Language.nl, *, digits: int = 0
) -> str:
    """A shortage with its unit; a negative one said as a surplus: ``393 fte overschot``."""
    if _is_missing(value):
        return MISSING
    assert value is not None
    number = format_number(abs(value), digits=digits, language=language)
    text = f"{number} {UNITS[unit][language]}"
    return f"{text} {SURPLUS[language]}" if value < 0 and number.strip("0,.") else text


def format_interval_words(
    low: float | None,
    high: float | None,
    unit: str,
    *,
    level: int = 80,
    language: Language = Language.nl,
) -> str:
    """An interval whose bounds may be a surplus, in words: ``80%: 393 overschot tot 4.249 fte``."""
    if _is_missing(low) or _is_missing(high):
        return ""
    assert low is not None
    assert high is not None

    def bound(value: float) -> str:
        number = format_number(abs(value), language=language)
        return f"{number} {SURPLUS[language]}" if value < 0 and number.strip("0,.") else number

    between = "tot" if language is Language.nl else "to"
    return f"{level}%: {bound(low)} {between} {bound(high)} {UNITS[unit][language]}"


def format_quarter(day: dt.date | None, language: Language = Language.nl) -> str:
    """A quarter as ``2023 kw. 4`` (Dutch) or ``2023 Q4`` (English)."""
    if day is None:
        return MISSING
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year} kw. {quarter}" if language is Language.nl else f"{day.year} Q{quarter}"
