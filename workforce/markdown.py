"""Markdown tables of frames, laid out by polars' own Markdown table formatting."""

from __future__ import annotations

import polars as pl

MARKDOWN_SPECIAL = {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "`": "\\`"}
"""Characters that would break a table cell or start a link or code span, escaped."""
HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def markdown_table(frame: pl.DataFrame, *, digits: int = 3, inert: bool = False) -> str:
    """``frame`` as a GitHub Markdown table: floats with ``digits`` decimals (a missing float
    reads ``null``), other values as one line of text with ``|`` escaped, empty where null.

    ``inert=True`` is for text from delivered files: every cell and heading is shown, never
    rendered (HTML escaped, no links or code spans, white space collapsed).
    """
    cells = frame.with_columns(
        _cell(pl.col(name), inert=inert)
        for name, dtype in frame.schema.items()
        if inert or not dtype.is_float()
    )
    if inert:
        cells = cells.rename({name: _inert(name) for name in frame.columns})
    with pl.Config(
        tbl_formatting="MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=32_000,
        fmt_str_lengths=32_000,
        fmt_float="full",
        float_precision=digits,
    ):
        return str(cells)


def _cell(column: pl.Expr, *, inert: bool) -> pl.Expr:
    text = column.cast(pl.String)
    if inert:
        text = text.str.replace_many(HTML_SPECIAL).str.replace_many(MARKDOWN_SPECIAL)
        text = text.str.replace_all(r"\s+", " ").str.strip_chars()
    else:
        text = text.str.replace_all("|", "\\|", literal=True).str.replace_all(r"\s*\n\s*", " ")
    return text.fill_null("")


def _inert(text: str) -> str:
    return pl.select(_cell(pl.lit(text), inert=True)).item()
