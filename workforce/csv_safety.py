"""CSV and Excel files that a spreadsheet opens as data, never as formulas.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula (``=HYPERLINK(...)``, ``=cmd|...``): a value an employer typed into an
HR system would run on the machine of whoever opens our export. As the OWASP guidance on CSV
injection advises, such a cell is written with a leading apostrophe, which spreadsheets show as
text. Numbers are left alone: a numeric column stays numeric, and a text cell that is a plain
number (``-8``, ``+31,5``) is no formula either.

Every CSV and Excel file the project writes goes through :func:`write_csv` or
:func:`write_excel` (or :func:`neutralise` first).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula."""

_PLAIN_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every formula-like text cell prefixed by an apostrophe."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(_neutralised(pl.col(name)).alias(name) for name in text_columns)


def is_formula(value: str) -> bool:
    """True when a spreadsheet would evaluate ``value`` rather than show it."""
    frame = neutralise(pl.DataFrame({"value": [value]}, schema={"value": pl.String}))
    return frame["value"][0] != value


def write_csv(frame: pl.DataFrame, file: str | Path | IO[bytes], **options: Any) -> None:
    """``frame.write_csv`` with formula-like cells neutralised."""
    neutralise(frame).write_csv(file, **options)


def write_excel(frame: pl.DataFrame, workbook: Any, **options: Any) -> None:
    """``frame.write_excel`` with formula-like cells neutralised."""
    neutralise(frame).write_excel(workbook, **options)


def _neutralised(column: pl.Expr) -> pl.Expr:
    risky = column.str.contains(_FORMULA_START) & ~column.str.contains(_PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)
