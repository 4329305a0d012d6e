"""Markdown tables: one line per row, cells that cannot break the table or render."""

from __future__ import annotations

import datetime as dt

import polars as pl

from workforce.markdown import markdown_table


def rows(markdown: str) -> list[list[str]]:
    """Cells of each line, split at unescaped pipes."""
    return [
        [cell.strip() for cell in line.replace("\\|", "\0").strip("|").split("|")]
        for line in markdown.splitlines()
    ]


FRAME = pl.DataFrame(
    {
        "model": ["chosen", "naive|x", None],
        "series": [3, 4, None],
        "mase": [0.12345, 2.5, 1.0],
        "day": [dt.date(2020, 1, 1), None, None],
        "note": ["<b>x</b> [a](b)", "two\nlines", "`code`"],
    }
)


def test_one_line_per_row_and_floats_with_the_digits_asked() -> None:
    table = rows(markdown_table(FRAME, digits=2))
    assert len(table) == 2 + FRAME.height
    assert table[0] == ["model", "series", "mase", "day", "note"]
    assert all(set(cell) <= {"-"} for cell in table[1])
    assert [row[2] for row in table[2:]] == ["0.12", "2.50", "1.00"]
    assert table[3][0] == "naive\0x"  # the pipe is escaped, not a column break
    assert table[4][:2] == ["", ""]  # nulls are empty
    assert table[3][4] == "two lines"


def test_inert_cells_show_delivered_text_without_rendering_it() -> None:
    table = rows(markdown_table(FRAME, inert=True))
    assert table[2][4] == "&lt;b&gt;x&lt;/b&gt; \\[a\\](b)"
    assert table[4][4] == "\\`code\\`"
    assert table[2][2] == "0.12345"  # values shown as delivered
