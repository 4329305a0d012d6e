"""Writing the advice as ``.csv`` or ``.xlsx`` (sheets advice, by_cohort_year, gaps)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.alignment.advice import Advice, AlignmentError


def _safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells starting with ``=``, ``+``, ``-`` or ``@`` get a leading quote, so that a
    spreadsheet shows them instead of running them as a formula."""
    risky = r"^[=+\-@]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(risky))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def write_advice(advice: Advice, path: Path) -> Path:
    """Write the ranked table to ``.csv``, or every table to ``.xlsx`` (advice,
    by_cohort_year, gaps and, when known, destinations)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        _safe(advice.table).write_csv(path)
    elif path.suffix == ".xlsx":
        import xlsxwriter

        with xlsxwriter.Workbook(path) as workbook:
            _safe(advice.table).write_excel(workbook, worksheet="advice", autofit=True)
            _safe(advice.by_year).write_excel(workbook, worksheet="by_cohort_year", autofit=True)
            _safe(advice.gaps).write_excel(workbook, worksheet="gaps", autofit=True)
            if advice.destinations is not None:
                _safe(advice.destinations).write_excel(
                    workbook, worksheet="destinations", autofit=True
                )
    else:
        raise AlignmentError(f"{path}: write .csv or .xlsx")
    return path
