"""Render ``docs/data-contracts.md`` from the contract models, so the document cannot drift.

Column tables, examples and rule lists come from :mod:`workforce.schemas`; the prose around
them lives here. Regenerate with ``python -m workforce.docs_gen.data_contracts``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.ingest.readers import SUPPORTED_SUFFIXES
from workforce.markdown import markdown_table
from workforce.schemas import (
    CONTRACTS,
    DATE_FORMATS,
    Contract,
    bad_value_rule,
    contract_columns,
    duplicate_rule,
    missing_rule,
    nullable_columns,
    unique_key,
)

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "data-contracts.md"

_TYPE_NAMES = {
    pl.String: "text",
    pl.Date: "date",
    pl.Float64: "decimal number",
    pl.Int64: "whole number",
}
_SHOWN_FORMATS = {"%Y-%m-%d": "YYYY-MM-DD", "%d-%m-%Y": "dd-mm-yyyy"}

_INTRO = """\
# Data contracts for raw extracts

This document is for the people who prepare an extract for the regional labour-market service:
HR and IT departments of care employers, and education institutions. It lists, per source, the
columns a file must have, what each column means, which values are allowed and which rules every
row is checked against. It is generated from the contract definitions in `workforce/schemas.py`.

Check a file before sending it:

```
workforce validate path/to/extract.csv      # or a folder: every .csv, .parquet and .xlsx in it
```

The command prints a short report per file and exits with 0 when every row is valid, 1 when a
row or a file fails, and 2 when a path does not exist.

## Files

- **Formats:** {formats}.
  - CSV: the header is the first line naming two contract columns (else the first with two
    filled fields); title lines and a merged group row above it are skipped, and so are empty
    rows at the end of the file (`;;;;`). Columns are separated by a comma or a semicolon (the
    separator is taken from the header line). Put double quotes around a value that contains
    the separator. Encoding UTF-8, with or without byte-order mark; a file that is not valid
    UTF-8 is read as Windows-1252. UTF-16 ("Unicode text") is refused: save as "CSV UTF-8".
    Line ends may be Windows, Unix or old Mac (CR only). A column without a header name is
    dropped when it is empty, and otherwise kept as `(unnamed column N)`, outside the contract.
  - Parquet: columns may be typed (date, integer, floating point) or text; nested columns (lists,
    structs) are read as JSON text.
  - Excel (.xlsx): the one sheet that holds a table is read, whichever it is; its header is
    found as in a CSV file, and rows above it are skipped. A workbook with a table on more than
    one sheet is refused (send one sheet per file), and so is one whose formulas carry no saved
    result (open and save it in Excel). Dates may be date cells or text.
  - Not read, and listed as not read when found in a folder: `.tsv`, `.xlsm`, `.xls`, `.xlsb`,
    `.ods`, hidden files and folders (name starting with a dot), Excel lock files (`~$...`),
    broken links, links to folders, and pipes or other special files.
- **File name:** an extract date in the name, as `YYYY-MM-DD` (`VVT-03_2025-12-31.csv`), must be a
  real date and not in the future; otherwise the file is refused. Without one, the date given
  with `workforce ingest --extract-date` (default: today) is used.
- **Which contract:** a file is matched to a contract by its header: it must contain every column
  of that contract. Column order does not matter. Names are lower case and exact; surrounding
  spaces are ignored. Extra columns are allowed, ignored and listed in the report.
- **One file per delivery:** one staff file and one vacancy file per employer per extract date;
  one education file per institution per extract date.
- **Population:** one file per release: counts by age (history; each year's vintage is the year
  it was published) or one projection (its vintage is the year it was published; it counts as
  known from 1 July of that year). A CBS population table fetched with `workforce fetch-cbs`
  (the regional projection 84525NED / 84527NED, or population history by age) is written in this
  contract next to the download, as `population_<table>.csv`. A newer file replaces the rows of an
  older one with the same municipality, year, sex, age, kind and vintage.

## Writing values

- **Empty (null):** an empty cell. Text such as `NULL`, `-` or `n/a` is a value, not an empty
  cell, and fails the column's rules. Only columns marked *may be empty* below accept it.
- **Dates:** {dates}; `2024-03-01` is preferred. Excel date cells are also accepted.
- **Decimal numbers:** a decimal point or a decimal comma (`28.5` or `28,5`); no thousands
  separators.
- **Whole numbers:** digits only (`1987`; `1987.0` is accepted).
- **Codes:** as listed in the reference tables in `data/reference/`; a code written in another
  case (`gm0344`, `Nurse_Vocational`) is read as the listed code. `person_key` is read in lower
  case.
- **Employers:** `employer_id` values that differ only in case or spaces (`GGZ-01`, `ggz-01 `)
  are one employer, written as it was first delivered.
- Spaces around a value are ignored.

## Pseudonymisation: `person_key`

No name, citizen service number (BSN), staff number or birth date may leave the employer.
`person_key` replaces them: it is a keyed hash of the employee's BSN, made by the employer with
the one regional key, before the file is sent. Because every employer uses the same key, the same
person gets the same `person_key` at every employer, so moves between employers can be followed
without anyone outside the employer learning who moved. The recommended hash is HMAC-SHA256,
written as 64 lowercase hexadecimal characters. The key itself is never sent.

The check accepts only 16 to 64 lowercase hexadecimal characters (`0-9`, `a-f`). A 9-digit BSN,
a name, an e-mail address or a staff number is rejected as a possible direct identifier. The check
cannot prove that a value is a hash: hashing is the sender's responsibility.
"""

_CHECKING = """\
## How a file is checked

1. **The file as a whole.** A file is refused, with a message naming the file, when it is
   empty, is not a readable CSV, Parquet or Excel file (the message says what it is instead:
   UTF-16 text, a ZIP archive, binary data), names a column twice, has only one column
   (usually a separator other than comma or semicolon), misses a column of the contract it
   resembles (the message lists the missing columns), holds a table on two sheets, or carries a
   date in its name that does not exist or lies in the future. No row of a refused file is
   loaded. A file that fails in any other way is refused with the error's first line; the other
   files of the run are still loaded.
2. **Each value.** Every value is read as its column's type. A value that cannot be read fails its
   row with a rule such as `{bad_date}` or `{bad_number}`; the other rules are then not checked
   for that row. An empty value in a column that must be filled fails with `missing <column>`.
3. **Each row.** The rules listed per source above; a row fails when any rule fails. Rows sharing
   the unique key all fail, with `duplicate <key columns>`.

Every row read ends up either valid or rejected, and the counts add up:
rows read = rows valid + rows rejected. A rejected row is reported once per rule it fails, with
the file name, the row number, the column, the rule and the value as it was written. Row numbers
count as a spreadsheet shows them: the header is row 1, the first data row is row 2 (in Parquet
files too). A rejected row is not loaded; it is kept aside with its reasons so that it can be
corrected and delivered again.

4. **Against what was delivered before** (`workforce ingest` only). A newer extract replaces the
   older ones of its employer for the period it covers. It is *held*, whole, in quarantine when
   it would remove more than 1 % (and at least 3) of the employer's earlier contracts or
   vacancies (for example a file of current staff only), when it would leave fewer than half of
   the current staff or open vacancies (for example when the current rows were all rejected), or,
   for a new `employer_id`, when at least half of its current staff are current staff of another
   employer (the same employer under another name would be counted twice). The message says what
   the file would remove or add; `workforce ingest --accept-changes` loads it as it is.

Files written back (quarantine files, downloads, advice and lever tables) are safe to open in a
spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written
with a leading apostrophe, so it is shown, not evaluated; numbers are written as numbers.
"""


def render() -> str:
    """The full text of ``docs/data-contracts.md``."""
    formats = ", ".join(f"`{suffix}`" for suffix in SUPPORTED_SUFFIXES)
    dates = " or ".join(f"`{_SHOWN_FORMATS[fmt]}`" for fmt in DATE_FORMATS)
    parts = [_INTRO.format(formats=formats, dates=dates)]
    parts.extend(_render_contract(contract) for contract in CONTRACTS)
    parts.append(
        _CHECKING.format(
            bad_date=bad_value_rule("end_date", pl.Date()),
            bad_number=bad_value_rule("contract_hours_week", pl.Float64()),
        )
    )
    return "\n".join(parts)


def _render_contract(contract: Contract) -> str:
    schema = contract.to_schema()
    types = contract_columns(contract)
    nullable = nullable_columns(contract)
    key = unique_key(contract)
    lines = [
        f"## {schema.title}: `{contract.__name__}`",
        "",
        f"{(contract.__doc__ or '').strip()} Unique key: {' + '.join(f'`{c}`' for c in key)}.",
        "",
        markdown_table(
            pl.DataFrame(
                [
                    {
                        "column": f"`{name}`",
                        "type": _TYPE_NAMES[type(types[name])],
                        "may be empty": (
                            "yes (the column too)"
                            if not column.required
                            else "yes"
                            if name in nullable
                            else "no"
                        ),
                        "meaning": column.description,
                        "allowed values": _allowed(name, column.metadata["allowed"]),
                    }
                    for name, column in schema.columns.items()
                ]
            )
        ),
    ]
    examples = [str(column.metadata["example"]) for column in schema.columns.values()]
    lines += [
        "",
        "Example (CSV):",
        "",
        "```",
        ",".join(schema.columns),
        ",".join(examples),
        "```",
        "",
        "Rules, with the name the report uses:",
        "",
    ]
    for name, column in schema.columns.items():
        if name not in nullable:
            lines.append(f"- `{missing_rule(name)}`: {name} must be filled.")
        for check in column.checks:
            lines.append(f"- `{check.error}`: {check.description}.")
    lines += [f"- `{duplicate_rule(key)}`: no two rows may share the unique key.", ""]
    return "\n".join(lines)


def _allowed(column: str, allowed: str) -> str:
    if allowed.startswith("data/reference/"):
        table, _, note = allowed.partition(" ")
        return f"listed in `{table}` {note}".strip()
    return allowed


def main() -> None:
    """Rewrite ``docs/data-contracts.md`` from the contract models."""
    DOCUMENT.write_text(render(), encoding="utf-8")
    print(f"Wrote {DOCUMENT}")


if __name__ == "__main__":
    main()
