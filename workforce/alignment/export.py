"""Writing the advice as ``.csv`` or ``.xlsx`` (sheets advice, by_cohort_year, gaps)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.alignment.advice import Advice, AlignmentError
from workforce.csv_safety import write_csv, write_excel
from workforce.store import replacing

WHOLE_COLUMNS = ("current_intake", "gap_persons", "needed_persons", "delivered_persons")
"""Counts of people, written as whole numbers."""
SHARE_DIGITS = 3


def for_spreadsheet(table: pl.DataFrame) -> pl.DataFrame:
    """People as whole numbers and shares to three decimals, as a committee reads them."""
    shares = [
        name
        for name in ("completion", "entering_share", "retention", "extra_intake_pct")
        if name in table.columns
    ]
    return table.with_columns(
        *(pl.col(name).round(0) for name in WHOLE_COLUMNS if name in table.columns),
        *(pl.col(name).round(SHARE_DIGITS) for name in shares),
    )


def write_advice(advice: Advice, path: Path) -> Path:
    """Write the ranked table to ``.csv``, or every table to ``.xlsx`` (advice,
    by_cohort_year, gaps and, when known, destinations), atomically and formula-safe."""
    if path.suffix not in (".csv", ".xlsx"):
        raise AlignmentError(f"{path}: write .csv or .xlsx")
    table = for_spreadsheet(advice.table)
    with replacing(path) as temporary:
        if path.suffix == ".csv":
            write_csv(table, temporary)
        else:
            import xlsxwriter

            with xlsxwriter.Workbook(temporary) as workbook:
                write_excel(table, workbook, worksheet="advice", autofit=True)
                write_excel(advice.by_year, workbook, worksheet="by_cohort_year", autofit=True)
                write_excel(advice.gaps, workbook, worksheet="gaps", autofit=True)
                if advice.destinations is not None:
                    write_excel(
                        advice.destinations, workbook, worksheet="destinations", autofit=True
                    )
    return path
