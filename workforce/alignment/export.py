"""Writing the advice as ``.csv`` or ``.xlsx``, the same file the training page offers.

The CSV opens as a table in Dutch Excel (semicolons, decimal comma, headers in the language
asked); the workbook adds the detail per cohort year and the gaps per profession
(:mod:`workforce.alignment.spreadsheet`).
"""

from __future__ import annotations

from pathlib import Path

from workforce.alignment.advice import Advice, AlignmentError
from workforce.alignment.spreadsheet import advice_csv, advice_xlsx
from workforce.language import Language
from workforce.store import replacing


def write_advice(advice: Advice, path: Path, language: Language = Language.nl) -> Path:
    """Write the ranked table to ``.csv``, or the workbook to ``.xlsx``, atomically."""
    if path.suffix not in (".csv", ".xlsx"):
        raise AlignmentError(f"{path}: write .csv or .xlsx")
    content = (
        advice_csv(advice.table, language)
        if path.suffix == ".csv"
        else advice_xlsx(advice, language)
    )
    with replacing(path) as temporary:
        temporary.write_bytes(content)
    return path
