"""Read raw extracts (CSV, Parquet, Excel) as text, so that every value can be checked.

Every column comes back as a string: a value that cannot be read as its contract type then
fails one row with a named rule instead of failing the whole file. A file that cannot be read
at all raises :class:`RawFileError` with a message meant for the person who sent it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from polars.exceptions import PolarsError

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx")
"""File types read by :func:`read_raw`; other files in a delivered folder are skipped."""

_UTF8_BOM = b"\xef\xbb\xbf"
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$"


class RawFileError(ValueError):
    """A file that cannot be read as a table, or whose columns follow no contract."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def read_raw(path: Path) -> pl.DataFrame:
    """Read a raw extract with every column as text; header names are stripped of spaces."""
    return read_raw_table(path)[0]


def read_raw_table(path: Path) -> tuple[pl.DataFrame, int]:
    """Like :func:`read_raw`, and the row number of the header as a spreadsheet shows it.

    The header is row 1 except in an Excel sheet that starts with title lines: there the first
    row with at least two filled cells is the header, and the rows above it are skipped.
    """
    suffix = path.suffix.lower()
    header_row = 1
    if suffix == ".csv":
        frame = _read_csv(path)
    elif suffix == ".parquet":
        frame = _read_parquet(path)
    elif suffix == ".xlsx":
        frame, header_row = _read_xlsx(path)
    else:
        expected = ", ".join(SUPPORTED_SUFFIXES)
        raise RawFileError(path, f"unsupported file type {suffix or '(none)'}; expected {expected}")
    frame = frame.rename({name: name.strip() for name in frame.columns}).with_columns(
        pl.col(pl.String).str.replace(_MIDNIGHT, "$1")
    )
    return frame, header_row


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes as UTF-8 (with or without BOM), else latin-1; return text and encoding."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header: str) -> str:
    """The column separator of a header line: a semicolon when it has more of those than commas."""
    return ";" if header.count(";") > header.count(",") else ","


def _read_csv(path: Path) -> pl.DataFrame:
    data = _read_bytes(path)
    if not data.strip():
        raise RawFileError(path, "the file is empty; expected a header line and data rows")
    if b"\x00" in data:
        raise RawFileError(path, "not a text file (it contains NUL bytes); expected a CSV file")
    try:
        text, _ = decode_text(data)
    except UnicodeDecodeError:
        raise RawFileError(path, "the file starts with a UTF-8 mark but is not UTF-8") from None
    header = next((line for line in text.splitlines() if line.strip()), "")
    separator = sniff_delimiter(header)
    names = [name.strip() for name in next(csv.reader([header], delimiter=separator))]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RawFileError(path, f"columns named more than once: {', '.join(twice)}")
    _refuse_truncated(path, text, separator, len(names))
    try:
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=separator,
            infer_schema=False,
            raise_if_empty=False,
        )
    except PolarsError as exc:
        raise RawFileError(
            path,
            f"cannot be read as CSV ({_first_line(exc)}); check that every row has as many "
            "fields as the header and that quotes are closed",
        ) from None


def _refuse_truncated(path: Path, text: str, separator: str, header_fields: int) -> None:
    """Refuse a file whose last line stops short: it was cut off while being copied or saved.

    Loading the complete rows of a cut-off extract would let it replace a complete older one,
    so the whole file is refused and must be sent again.
    """
    if text.endswith(("\n", "\r")):
        return
    lines = text.splitlines()
    if len(lines) < 2:
        return
    last = next(csv.reader([lines[-1]], delimiter=separator), [])
    if len(last) < header_fields:
        raise RawFileError(
            path,
            f"the file stops in the middle of row {len(lines)} ({len(last)} of {header_fields} "
            "fields, no line end): it looks cut off; send the complete file again",
        )


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except (PolarsError, OSError) as exc:
        raise RawFileError(path, f"cannot be read as Parquet: {_first_line(exc)}") from None
    return frame.select(_as_text(name, dtype) for name, dtype in frame.schema.items())


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, int]:
    import fastexcel

    try:
        sheet = pl.read_excel(
            path,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except (PolarsError, OSError, fastexcel.FastExcelError) as exc:
        raise RawFileError(path, f"cannot be read as Excel (.xlsx): {_first_line(exc)}") from None
    sheet = sheet.select(pl.all().cast(pl.String))
    filled = sheet.select(
        pl.sum_horizontal(pl.all().str.strip_chars().fill_null("").ne("").cast(pl.Int32))
    ).to_series()
    header_index = next((i for i, count in enumerate(filled) if count >= 2), None)
    if header_index is None:
        raise RawFileError(path, "the sheet has no header row; expected column names in a row")
    header = [value or "" for value in sheet.row(header_index)]
    keep = [i for i, name in enumerate(header) if name.strip()]
    names = [header[i].strip() for i in keep]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RawFileError(path, f"columns named more than once: {', '.join(twice)}")
    body = sheet.slice(header_index + 1).select(
        pl.col(sheet.columns[i]).alias(name) for i, name in zip(keep, names, strict=True)
    )
    last_filled = body.select(
        pl.any_horizontal(pl.all().str.strip_chars().fill_null("").ne(""))
    ).to_series()
    filled_rows = last_filled.arg_true()
    rows = int(filled_rows[-1]) + 1 if len(filled_rows) else 0
    return body.head(rows), header_index + 1


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A typed Parquet column as the text a CSV export would hold."""
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if dtype.is_float():
        whole = column.is_finite() & (column == column.floor())
        as_int = column.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(column.cast(pl.String)).alias(name)
    if dtype == pl.String:
        return column
    return column.cast(pl.String, strict=False)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RawFileError(path, f"cannot be opened: {exc.strerror}") from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
