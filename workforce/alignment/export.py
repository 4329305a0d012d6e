"""Writing the advice as ``.csv`` or ``.xlsx`` (sheets advice, by_cohort_year, gaps)."""

from __future__ import annotations

from pathlib import Path

from workforce.alignment.advice import Advice, AlignmentError
from workforce.csv_safety import write_csv, write_excel
from workforce.store import replacing


def write_advice(advice: Advice, path: Path) -> Path:
    """Write the ranked table to ``.csv``, or every table to ``.xlsx`` (advice,
    by_cohort_year, gaps and, when known, destinations), atomically and formula-safe."""
    if path.suffix not in (".csv", ".xlsx"):
        raise AlignmentError(f"{path}: write .csv or .xlsx")
    with replacing(path) as temporary:
        if path.suffix == ".csv":
            write_csv(advice.table, temporary)
        else:
            import xlsxwriter

            with xlsxwriter.Workbook(temporary) as workbook:
                write_excel(advice.table, workbook, worksheet="advice", autofit=True)
                write_excel(advice.by_year, workbook, worksheet="by_cohort_year", autofit=True)
                write_excel(advice.gaps, workbook, worksheet="gaps", autofit=True)
                if advice.destinations is not None:
                    write_excel(
                        advice.destinations, workbook, worksheet="destinations", autofit=True
                    )
    return path
