"""Read raw extracts (CSV, Parquet, Excel) as text, so that every value can be checked.

Every column comes back as a string: a value that cannot be read as its contract type then
fails one row with a named rule instead of failing the whole file. A file that cannot be read
at all raises :class:`RawFileError` with a message meant for the person who sent it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
from polars.exceptions import PolarsError

from workforce.schemas import CONTRACTS

CONTRACT_COLUMN_NAMES = frozenset(
    name for contract in CONTRACTS for name in contract.to_schema().columns
)
"""Every column name of a raw contract: a row naming two of them is a header."""

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx")
"""File types read by :func:`read_raw`; other files in a folder are listed as not loaded."""

UNSUPPORTED_TYPES = {
    ".tsv": "tab-separated text is not read; save it as .csv (comma or semicolon separated)",
    ".xlsm": "a workbook with macros is not read; save it as an Excel workbook (.xlsx)",
    ".xls": "the old Excel format is not read; save it as an Excel workbook (.xlsx)",
    ".xlsb": "the binary Excel format is not read; save it as an Excel workbook (.xlsx)",
    ".ods": "OpenDocument spreadsheets are not read; save it as .xlsx or .csv",
}
"""Why a file type that holds tables is not read, and what to send instead."""

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
        frame, header_row = _read_csv(path)
    elif suffix == ".parquet":
        frame = _read_parquet(path)
    elif suffix == ".xlsx":
        frame, header_row = _read_xlsx(path)
    else:
        raise RawFileError(path, unsupported_type_problem(path))
    frame = frame.rename({name: name.strip() for name in frame.columns}).with_columns(
        pl.col(pl.String).str.replace(_MIDNIGHT, "$1")
    )
    return frame, header_row


def unsupported_type_problem(path: Path) -> str:
    """Why a file of this type is not read, and what to send instead."""
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_TYPES:
        return f"unsupported file type {suffix}: {UNSUPPORTED_TYPES[suffix]}"
    expected = ", ".join(SUPPORTED_SUFFIXES)
    return f"unsupported file type {suffix or '(none)'}; expected {expected}"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes as UTF-8 (with or without BOM), else Windows-1252 (latin-1 for the
    five bytes that code page leaves undefined); return text and encoding."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header: str) -> str:
    """The column separator of a header line: a semicolon when it has more of those than commas."""
    return ";" if header.count(";") > header.count(",") else ","


def _read_csv(path: Path) -> tuple[pl.DataFrame, int]:
    data = _read_bytes(path)
    if not data.strip():
        raise RawFileError(path, "the file is empty; expected a header line and data rows")
    _refuse_binary(path, data)
    try:
        text, _ = decode_text(data)
    except UnicodeDecodeError:
        raise RawFileError(path, "the file starts with a UTF-8 mark but is not UTF-8") from None
    # A few NUL bytes in an otherwise good text file (a damaged free-text field): the value
    # becomes unreadable (U+FFFD), so a contract column holding it fails its row, by name.
    text = text.replace("\x00", "\ufffd")
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # classic Mac OS line ends: one line per row
    lines = text.splitlines()
    header_index = _csv_header_index(lines)
    header = lines[header_index]
    separator = sniff_delimiter(header)
    names = _header_names(path, next(csv.reader([header], delimiter=separator)))
    _refuse_truncated(path, text, separator, len(names))
    body = "\n".join(lines[header_index:]) + "\n" if header_index else text
    try:
        frame = pl.read_csv(
            io.BytesIO(body.encode("utf-8")),
            separator=separator,
            infer_schema=False,
            raise_if_empty=False,
            has_header=True,
            new_columns=names,
        )
    except PolarsError as exc:
        raise RawFileError(
            path,
            f"cannot be read as CSV ({_first_line(exc)}); check that every row has as many "
            "fields as the header and that quotes are closed",
        ) from None
    return _drop_trailing_empty_rows(_drop_empty_unnamed(frame)), header_index + 1


def _drop_trailing_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows after the last one holding a value (``;;;;`` lines a spreadsheet export leaves at
    the end) are not data; rows in between keep their place, so row numbers stay right."""
    if frame.is_empty() or frame.width == 0:
        return frame
    filled = frame.select(
        pl.any_horizontal(pl.all().cast(pl.String).str.strip_chars().fill_null("").ne(""))
    ).to_series()
    last = filled.arg_true()
    return frame.head(int(last[-1]) + 1 if len(last) else 0)


_CONTROL_BYTES = bytes([*range(9), 11, 12, *range(14, 32)])
"""Bytes that do not occur in text: every control character but tab, line feed, carriage return."""

_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an Excel workbook named .csv?)",
    b"PAR1": "a Parquet file (name it .parquet)",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook",
}


def _refuse_binary(path: Path, data: bytes) -> None:
    """Refuse UTF-16 text and binary data with a message naming which of the two it is."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise RawFileError(path, f"not a text file: it is {kind}; expected a CSV file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 20:
        raise RawFileError(
            path,
            "not a text file in UTF-8 or Windows-1252: it is UTF-16 text (Excel's 'Unicode "
            "text'); save it as 'CSV UTF-8 (comma delimited)' and send it again",
        )
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if control > max(8, len(data) // 100):
        raise RawFileError(
            path,
            f"not a text file ({control:,} control bytes such as NUL; it holds binary data); "
            "expected a CSV file",
        )


def _csv_header_index(lines: list[str]) -> int:
    """The header line: the first naming two contract columns, else the first with two filled
    fields; title lines or a merged group row above it are skipped."""
    rows = [next(csv.reader([line], delimiter=sniff_delimiter(line)), []) for line in lines[:20]]
    return header_position(rows) if any(line.strip() for line in lines[:20]) else 0


def header_position(rows: Sequence[Sequence[str | None]]) -> int:
    """Index of the header among a table's first rows (see :func:`_csv_header_index`)."""
    cells = [[(cell or "").strip() for cell in row] for row in rows]
    for index, row in enumerate(cells):
        if len(CONTRACT_COLUMN_NAMES.intersection(row)) >= 2:
            return index
    for index, row in enumerate(cells):
        if sum(bool(cell) for cell in row) >= 2:
            return index
    return next((index for index, row in enumerate(cells) if any(row)), 0)


def _header_names(path: Path, raw_names: list[str]) -> list[str]:
    """Header names stripped; a blank one named by its position; a repeated one refused."""
    names = [name.strip() for name in raw_names]
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise RawFileError(path, f"columns named more than once: {', '.join(twice)}")
    return [name or unnamed_column(position) for position, name in enumerate(names, start=1)]


def unnamed_column(position: int) -> str:
    """The name given to a column whose header cell is blank (1 is the first column)."""
    return f"(unnamed column {position})"


def _drop_empty_unnamed(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns without a header name that hold no value (trailing separators) are dropped;
    unnamed columns with values stay, under their position, as columns outside any contract."""
    empty = [
        name
        for name in frame.columns
        if name.startswith("(unnamed column ")
        and frame[name].cast(pl.String).str.strip_chars().fill_null("").eq("").all()
    ]
    return frame.drop(empty)


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
    return pl.DataFrame([_column_as_text(frame[name]) for name in frame.columns])


def _column_as_text(column: pl.Series) -> pl.Series:
    """A Parquet column as text; a type without a text form (binary, durations) as its Python
    representation, so a contract column of that type fails its rows by name."""
    try:
        return column.to_frame().select(_as_text(column.name, column.dtype)).to_series()
    except PolarsError:
        values = [None if value is None else str(value) for value in column.to_list()]
        return pl.Series(column.name, values, dtype=pl.String)


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, int]:
    """The one sheet of a workbook that holds a table; a second table is refused, not skipped."""
    import fastexcel

    _refuse_uncalculated_formulas(path)
    try:
        sheets = pl.read_excel(
            path,
            sheet_id=0,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except (PolarsError, OSError, ValueError, fastexcel.FastExcelError) as exc:
        raise RawFileError(path, f"cannot be read as Excel (.xlsx): {_first_line(exc)}") from None
    tables = {
        name: table
        for name, sheet in sheets.items()
        if (table := _sheet_table(path, name, sheet)) is not None
    }
    if not tables:
        raise RawFileError(path, "the sheet has no header row; expected column names in a row")
    if len(tables) > 1:
        counts = ", ".join(
            f"{name!r}: {frame.height:,} rows" for name, (frame, _) in tables.items()
        )
        raise RawFileError(
            path,
            f"the workbook holds a table on {len(tables)} sheets ({counts}); one sheet per file "
            "is read: put all rows on one sheet, or send one file per sheet",
        )
    (table,) = tables.values()
    return table


def _sheet_table(path: Path, name: str, sheet: pl.DataFrame) -> tuple[pl.DataFrame, int] | None:
    """A sheet's rows under its header (see :func:`header_position`), or None without one."""
    if sheet.width == 0:
        return None
    sheet = sheet.select(pl.all().cast(pl.String))
    filled = sheet.select(
        pl.sum_horizontal(pl.all().str.strip_chars().fill_null("").ne("").cast(pl.Int32))
    ).to_series()
    if not any(count >= 2 for count in filled):
        return None
    header_index = header_position([list(sheet.row(i)) for i in range(min(20, sheet.height))])
    header = [value or "" for value in sheet.row(header_index)]
    keep = [i for i, name in enumerate(header) if name.strip()]
    names = [header[i].strip() for i in keep]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RawFileError(
            path, f"sheet {name!r}: columns named more than once: {', '.join(twice)}"
        )
    body = sheet.slice(header_index + 1).select(
        pl.col(sheet.columns[i]).alias(name) for i, name in zip(keep, names, strict=True)
    )
    last_filled = body.select(
        pl.any_horizontal(pl.all().str.strip_chars().fill_null("").ne(""))
    ).to_series()
    filled_rows = last_filled.arg_true()
    rows = int(filled_rows[-1]) + 1 if len(filled_rows) else 0
    return body.head(rows), header_index + 1


_SHEET_XML = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _refuse_uncalculated_formulas(path: Path) -> None:
    """Refuse a workbook whose formulas carry no saved result.

    Programs that write .xlsx without a calculation engine store the formula only; a reader
    sees an empty cell there, which would look like a missing value in the sender's data.
    """
    cells: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            for member in sorted(n for n in archive.namelist() if _SHEET_XML.match(n)):
                with archive.open(member) as stream:
                    for _, element in ElementTree.iterparse(stream):
                        if element.tag != f"{_MAIN_NS}c":
                            continue
                        formula = element.find(f"{_MAIN_NS}f")
                        value = element.find(f"{_MAIN_NS}v")
                        if formula is not None and (value is None or not (value.text or "")):
                            cells.append(element.get("r", "?"))
                        element.clear()
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, KeyError, EOFError):
        return  # the Excel reader below names what is wrong with the file
    except (zlib.error, NotImplementedError, ValueError):
        return  # a damaged or unusual archive: the same
    if cells:
        shown = ", ".join(cells[:5]) + (" ..." if len(cells) > 5 else "")
        raise RawFileError(
            path,
            f"{len(cells):,} cells hold a formula without a saved result ({shown}): the file "
            "was written by a program that does not calculate; open it in Excel and save it, "
            "or export the values",
        )


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A typed Parquet column as the text a CSV export would hold."""
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if dtype.is_float():
        whole = column.is_finite() & (column == column.floor())
        as_int = column.cast(pl.Int64, strict=False).cast(pl.String)
        # A whole number too large for an integer keeps its float text: it fails as a value.
        fits = whole & as_int.is_not_null()
        return pl.when(fits).then(as_int).otherwise(column.cast(pl.String)).alias(name)
    if dtype == pl.String:
        return column
    if dtype.is_nested():
        return column.map_elements(_json_text, return_dtype=pl.String, skip_nulls=True)
    return column.cast(pl.String, strict=False)


def _json_text(value: object) -> str:
    """A nested Parquet value (list, struct) as JSON text: it fails a contract column, by name."""
    return json.dumps(value, default=str, ensure_ascii=False)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RawFileError(path, f"cannot be opened: {exc.strerror}") from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
