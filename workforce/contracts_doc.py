"""Render ``docs/data-contracts.md`` from the contract models, so the document cannot drift.

Column tables, examples and rule lists come from :mod:`workforce.schemas`; the prose around
them lives here. Regenerate with ``python -m workforce.contracts_doc``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.ingest.readers import SUPPORTED_SUFFIXES
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

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "data-contracts.md"

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
  - CSV: the first line is the header. Columns are separated by a comma or a semicolon (the
    separator is taken from the header line). Put double quotes around a value that contains the
    separator. Encoding UTF-8, with or without byte-order mark; a file that is not valid UTF-8 is
    read as latin-1 (ISO-8859-1).
  - Parquet: columns may be typed (date, integer, floating point) or text.
  - Excel: the first sheet is read; the header is in row 1. Dates may be date cells or text.
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
- **Codes:** exactly as listed in the reference tables in `data/reference/` (case-sensitive).
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
   empty, is not a readable CSV, Parquet or Excel file, names a column twice, has only one column
   (usually a separator other than comma or semicolon), or misses a column of the contract it
   resembles (the message lists the missing columns). No row of a refused file is loaded.
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
        "| column | type | may be empty | meaning | allowed values |",
        "|---|---|---|---|---|",
    ]
    for name, column in schema.columns.items():
        lines.append(
            f"| `{name}` | {_TYPE_NAMES[type(types[name])]} | {'yes' if name in nullable else 'no'}"
            f" | {column.description} | {_allowed(name, column.metadata['allowed'])} |"
        )
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
