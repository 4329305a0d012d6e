"""Dutch and English numbers, percentages and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from workforce.dashboards.format import (
    LABELS,
    MISSING,
    Language,
    format_date,
    format_month,
    format_number,
    format_percent,
    format_run,
    label,
    model_label,
)


@pytest.mark.parametrize(
    ("value", "digits", "dutch", "english"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (0.5, 0, "1", "1"),
        (1140.5, 0, "1.141", "1,141"),
        (-42.25, 1, "-42,3", "-42.3"),
        (2.675, 2, "2,68", "2.68"),
        (999.96, 1, "1.000,0", "1,000.0"),
    ],
)
def test_numbers_use_the_languages_separators(
    value: float, digits: int, dutch: str, english: str
) -> None:
    assert format_number(value, digits=digits) == dutch
    assert format_number(value, digits=digits, language=Language.en) == english


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_missing_numbers_show_a_dash(value: float | None) -> None:
    assert format_number(value) == MISSING
    assert format_percent(value) == MISSING


def test_percentages_are_signed_on_request() -> None:
    assert format_percent(0.1234) == "12,3%"
    assert format_percent(0.1234, signed=True) == "+12,3%"
    assert format_percent(-0.05, signed=True) == "-5,0%"
    assert format_percent(0.5, digits=0, language=Language.en) == "50%"


def test_dates_have_dutch_month_names() -> None:
    assert format_month(dt.date(2026, 3, 1)) == "mrt. 2026"
    assert format_month(dt.date(2026, 5, 1)) == "mei 2026"
    assert format_month(dt.date(2026, 3, 1), Language.en) == "Mar 2026"
    assert format_date(dt.date(2025, 12, 5)) == "5 dec. 2025"
    assert format_month(None) == MISSING


def test_every_label_exists_in_both_languages() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == set(Language), key
        assert all(texts.values()), key
    assert label("no_data") == "geen gegevens"
    assert model_label("seasonal_naive") == "zelfde maand vorig jaar"
    assert model_label("unknown_model") == "unknown_model"


def test_a_model_run_is_shown_by_when_it_was_computed() -> None:
    assert format_run("20261207T133157Z") == "7 dec. 2026 13:31"
    assert format_run("20261207T133157Z", Language.en) == "7 Dec 2026 13:31"
    assert format_run("manual-run") == "manual-run"
    assert format_run("") == "\u2013"


def test_no_dutch_screen_text_shows_a_code_or_model_name() -> None:
    """Every Dutch text of the catalogue, folded help included, says what a code means."""
    import re

    from tests.dashboards.dutch_page import CODES
    from workforce.dashboards.format import LABELS
    from workforce.dashboards.page_text import TEXTS

    for catalogue in (TEXTS, LABELS):
        for key, labels in catalogue.items():
            dutch = re.sub(r"\{\w+\}", "", labels[Language.nl])  # without placeholders
            assert not CODES.search(dutch), (key, dutch)
