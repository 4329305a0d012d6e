"""Downloads for Dutch Excel: semicolons, decimal commas, a byte-order mark, whole counts."""

from __future__ import annotations

import csv
import io

import polars as pl

from workforce.alignment.spreadsheet import ADVICE_HEADERS, advice_csv
from workforce.dashboards.format import Language

TABLE = pl.DataFrame(
    {
        "rank": [1, 2],
        "programme_name": ["Verpleegkunde; hbo", "Diëtist"],
        "current_intake": [120.4, None],
        "completion": [0.7234, float("nan")],
        "extra_intake_per_year": [12.0, 3.6],
        "advice_nl": ["=HYPERLINK(1)", "a, b"],
        "advice_en": ["in English", "in English"],
        "unlisted_ratio": [1.23456, 1234.5],
    }
)


def _rows(payload: bytes, separator: str) -> list[list[str]]:
    assert payload.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig")), delimiter=separator))


def test_dutch_csv_has_semicolons_decimal_commas_and_dutch_headers() -> None:
    header, first, second = _rows(advice_csv(TABLE), ";")
    assert header[:3] == ["Rang", "Opleiding", "Huidige instroom per jaar"]
    assert not any("_" in name for name in header if name != "unlisted_ratio")
    assert first == ["1", "Verpleegkunde; hbo", "120", "12", "72,3", "'=HYPERLINK(1)", "1,2"]
    assert second == ["2", "Diëtist", "", "4", "", "a, b", "1234,5"]
    assert "in English" not in first, "the Dutch file has no English sentences"


def test_every_row_and_column_but_the_other_languages_sentences_is_kept() -> None:
    rows = _rows(advice_csv(TABLE), ";")
    assert len(rows) == TABLE.height + 1
    assert all(len(row) == TABLE.width - 1 for row in rows)


def test_english_csv_uses_commas_and_points() -> None:
    header, first, _ = _rows(advice_csv(TABLE, Language.en), ",")
    assert header[0] == ADVICE_HEADERS["rank"][Language.en]
    assert first[4] == "72.3"
    assert "in English" in first
    assert "'=HYPERLINK(1)" not in first
