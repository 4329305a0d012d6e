"""The one place where raw rows are value-checked against their contract.

A file is read as text (:mod:`workforce.ingest.readers`), matched to a contract by its header, cast
column by column (a value that cannot be read fails its row, it does not stop the file) and then
checked by the contract's pandera model on a collected frame. The result keeps the clean rows,
typed, and every failure with the original text, so a quarantine stage can write both.

Row numbers are counted as a spreadsheet shows them: the header is row 1, the first data row is
row 2. (A quoted CSV value spanning several lines still counts as one row.)

Over 500 lines because it is the one place raw rows are checked: finding the files, casting and
the rule checks share the contract matching and the failure record that quarantine writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandera.errors
import polars as pl

from workforce.ingest.readers import (
    SUPPORTED_SUFFIXES,
    UNSUPPORTED_TYPES,
    RawFileError,
    read_raw_table,
    unsupported_type_problem,
)
from workforce.reference import ReferenceError, load_reference
from workforce.schemas import (
    CONTRACTS,
    HIGHER_ROUTES,
    MBO_ROUTES,
    Contract,
    bad_value_rule,
    contract_columns,
    duplicate_rule,
    missing_rule,
    required_columns,
    unique_key,
)

FAILURE_COLUMNS = ("source_file", "row_number", "column", "rule", "value")
"""Columns that describe a failure; the rejected frame adds the row's original values after them."""

EXAMPLES_SHOWN = 5

_FAILURE_SCHEMA = {
    "source_file": pl.String,
    "row_number": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "value": pl.String,
}
NOT_A_FILE = "not a regular file (a pipe, socket or device); expected a data file"

PARTY_COLUMNS = ("employer_id", "institution_code")
"""Columns naming who delivered a row."""

CANONICAL_CASE = {
    "person_key": "lower",
    "profession_code": "lower",
    "sector_code": "lower",
    "leave_reason": "lower",
    "outcome": "lower",
    "municipality_code": "upper",
    "residence_municipality_code": "upper",
    "institution_code": "upper",
    "level": "upper",
}
"""The case of each code list; values are brought to it before they are checked."""

_ROUTES_BY_LOWER = {route.lower(): route for route in (*MBO_ROUTES, *HIGHER_ROUTES)}
_UNIQUENESS_CHECK = "multiple_fields_uniqueness"
_NULLABLE_CHECK = "not_nullable"


@dataclass(frozen=True, eq=False)
class ValidationResult:
    """Outcome of checking one file: clean rows, rejected rows and counts that add up.

    ``rejected`` holds one row per failed rule per input row (``source_file``, ``row_number``,
    ``column``, ``rule``, ``value``, then the row's original text values), so a row failing two
    rules appears twice there but counts once in ``rows_rejected``.
    """

    source_file: str
    contract: str
    rows_read: int
    valid: pl.DataFrame
    rejected: pl.DataFrame
    ignored_columns: tuple[str, ...] = field(default=())
    valid_row_numbers: pl.Series = field(
        default_factory=lambda: pl.Series("row_number", [], dtype=pl.Int64)
    )
    """Spreadsheet row number of each row in ``valid``, in the same order."""

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_valid + self.rows_rejected:
            raise ValueError(
                f"{self.source_file}: {self.rows_read} rows read but {self.rows_valid} valid "
                f"+ {self.rows_rejected} rejected"
            )

    @property
    def rows_valid(self) -> int:
        """Rows that passed every rule."""
        return self.valid.height

    @property
    def rows_rejected(self) -> int:
        """Rows that failed at least one rule."""
        return self.rejected["row_number"].n_unique()

    @property
    def is_clean(self) -> bool:
        """True when no row failed."""
        return self.rejected.is_empty()

    @property
    def failures(self) -> pl.DataFrame:
        """The rejected rows without their original values: which rule failed where."""
        return self.rejected.select(FAILURE_COLUMNS)

    @property
    def rule_counts(self) -> dict[str, int]:
        """Number of rows failing each rule, most frequent first."""
        counts = (
            self.rejected.group_by("rule")
            .agg(pl.col("row_number").n_unique().alias("rows"))
            .sort(["rows", "rule"], descending=[True, False])
        )
        return dict(zip(counts["rule"].to_list(), counts["rows"].to_list(), strict=True))


class ContractMismatchError(ValueError):
    """A header that matches no contract; the message says which columns are missing."""


def detect_contract(columns: Sequence[str]) -> Contract:
    """The contract whose columns all appear in a header; extra columns are allowed."""
    present = set(columns)
    if len(present) == 1:
        (only,) = present
        raise ContractMismatchError(
            f"only one column found ({only[:60]!r}); columns must be separated by a comma "
            "or a semicolon"
        )
    matches = [contract for contract in CONTRACTS if set(required_columns(contract)) <= present]
    if matches:
        return max(matches, key=lambda contract: len(required_columns(contract)))

    lowered = {name.lower() for name in present}

    def overlap(contract: Contract) -> float:
        expected = required_columns(contract)
        return len(lowered.intersection(expected)) / len(expected)

    closest = max(CONTRACTS, key=overlap)
    if overlap(closest) >= 0.5:
        missing = [name for name in required_columns(closest) if name not in present]
        hints = _case_hints(missing, present)
        raise ContractMismatchError(
            f"looks like a {closest.__name__} file but misses columns: {', '.join(missing)}{hints}"
        )
    expected = "; ".join(
        f"{contract.__name__}: {', '.join(required_columns(contract))}" for contract in CONTRACTS
    )
    found = ", ".join(list(columns)[:12]) or "(none)"
    raise ContractMismatchError(f"columns match no contract (found: {found}); expected {expected}")


def _case_hints(missing: Iterable[str], present: set[str]) -> str:
    by_lower = {name.lower(): name for name in present}
    hints = [
        f"{by_lower[name.lower()]!r} should be {name!r}"
        for name in missing
        if name.lower() in by_lower
    ]
    return f" ({'; '.join(hints)}: names are case-sensitive)" if hints else ""


def validate_file(path: Path) -> ValidationResult:
    """Read one raw file, find its contract from the header and check every row.

    Raises :class:`RawFileError` when the file cannot be read or follows no contract.
    """
    raw, header_row = read_raw_table(path)
    try:
        return validate_frame(
            raw, detect_contract(raw.columns), source_file=str(path), first_row=header_row + 1
        )
    except ContractMismatchError as exc:
        raise RawFileError(path, str(exc)) from None


def validate_frame(
    raw: pl.DataFrame, contract: Contract, *, source_file: str, first_row: int = 2
) -> ValidationResult:
    """Check text rows against a contract: cast each column, then run the contract's rules.

    ``raw`` holds the contract's columns as strings (extra columns are ignored). A row with a
    value that cannot be read is reported for that value only; the other rules run on the rest.
    ``first_row`` is the spreadsheet row number of the first data row.
    """
    load_reference()  # fail here, clearly, rather than inside a check
    types = contract_columns(contract)
    missing = [name for name in required_columns(contract) if name not in raw.columns]
    if missing:
        raise ContractMismatchError(f"missing columns: {', '.join(missing)}")
    ignored = tuple(name for name in raw.columns if name not in types)
    given = {name: dtype for name, dtype in types.items() if name in raw.columns}
    original = raw.select(pl.col(name).cast(pl.String) for name in given).with_row_index(
        "row_number", offset=first_row
    )
    original = original.with_columns(pl.col("row_number").cast(pl.Int64))
    typed = original.select(
        "row_number",
        *(_parse(_text(name), dtype, name).alias(name) for name, dtype in given.items()),
        # An optional column a file leaves out (an extract made before it existed) is empty.
        *(pl.lit(None, dtype).alias(name) for name, dtype in types.items() if name not in given),
    )
    typed = unify_spelling(typed, [name for name in PARTY_COLUMNS if name in types])
    unreadable = _unreadable(original, typed, given)
    readable = typed.join(unreadable.select("row_number").unique(), on="row_number", how="anti")
    broken = _rule_failures(readable, contract, original)
    failures = pl.concat([unreadable, broken]).with_columns(source_file=pl.lit(source_file))
    rejected = (
        failures.select(FAILURE_COLUMNS)
        .join(original, on="row_number", how="left")
        .sort("row_number", maintain_order=True)
    )
    valid = readable.join(failures.select("row_number").unique(), on="row_number", how="anti")
    return ValidationResult(
        source_file=source_file,
        contract=contract.__name__,
        rows_read=raw.height,
        valid=valid.select(list(types)),
        rejected=rejected,
        ignored_columns=ignored,
        valid_row_numbers=valid["row_number"],
    )


def _text(name: str) -> pl.Expr:
    """A text value stripped of surrounding spaces; an empty cell becomes null."""
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _parse(text: pl.Expr, dtype: pl.DataType, name: str = "") -> pl.Expr:
    """Text to the contract type; null where the text cannot be read (or was empty).

    Codes are brought to the case of their code list (``GM0344``, ``nurse_vocational``,
    ``BOL``), so ``gm0344`` or ``Nurse_Vocational`` from another HR system reads the same.
    """
    if dtype == pl.Date:
        iso = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        dutch = text.str.strptime(pl.Date, "%d-%m-%Y", strict=False)
        return (
            pl.when(text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$"))
            .then(iso)
            .when(text.str.contains(r"^\d{1,2}-\d{1,2}-\d{4}$"))
            .then(dutch)
        )
    if dtype == pl.Float64:
        number = text.str.replace(",", ".", literal=True)
        readable = number.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")
        return pl.when(readable).then(number.cast(pl.Float64, strict=False))
    if dtype == pl.Int64:
        number = text.str.replace(r"[.,]0*$", "")
        readable = number.str.contains(r"^[+-]?\d{1,18}$")
        return pl.when(readable).then(number.cast(pl.Int64, strict=False))
    if CANONICAL_CASE.get(name) == "lower":
        return text.str.to_lowercase()
    if CANONICAL_CASE.get(name) == "upper":
        return text.str.to_uppercase()
    if name == "route":
        return text.str.to_lowercase().replace(_ROUTES_BY_LOWER)
    return text


def spelling_key(value: pl.Expr) -> pl.Expr:
    """The form in which two spellings of one identifier agree: no spaces, case folded."""
    return value.str.replace_all(r"\s+", "").str.to_lowercase()


def unify_spelling(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Within a file, write each identifier as its most frequent spelling (``ggz-01`` and
    ``GGZ-01 `` both as ``GGZ-01``), so one employer is never counted as two."""
    for name in columns:
        keys = frame.select(spelling_key(pl.col(name))).to_series()
        if keys.n_unique() == frame[name].n_unique():
            continue  # every identifier already has a single spelling
        spellings = (
            frame.group_by(key=spelling_key(pl.col(name)), spelling=pl.col(name))
            .len()
            .drop_nulls("spelling")
            .sort(["key", "len", "spelling"], descending=[False, True, False])
            .unique("key", keep="first")
        )
        frame = (
            frame.with_columns(_key=spelling_key(pl.col(name)))
            .join(spellings.select(_key="key", _spelling="spelling"), on="_key", how="left")
            .with_columns(pl.coalesce("_spelling", name).alias(name))
            .drop("_key", "_spelling")
        )
    return frame


def _unreadable(
    original: pl.DataFrame, typed: pl.DataFrame, types: dict[str, pl.DataType]
) -> pl.DataFrame:
    """One failure per value that has text but could not be read as its type."""
    parts = [
        original.filter(_text(name).is_not_null() & typed[name].is_null()).select(
            "row_number",
            column=pl.lit(name),
            rule=pl.lit(bad_value_rule(name, dtype)),
            value=pl.col(name),
        )
        for name, dtype in types.items()
        if dtype != pl.String
    ]
    return _failure_frame(parts)


def _rule_failures(
    readable: pl.DataFrame, contract: Contract, original: pl.DataFrame
) -> pl.DataFrame:
    """Run the pandera model and turn its failure cases into named failures per row."""
    try:
        contract.validate(readable, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return _failure_frame([])
    unplaced = cases.filter(pl.col("index").is_null())
    if not unplaced.is_empty():
        first = unplaced.row(0, named=True)
        raise ContractMismatchError(
            f"{first['check']} could not be checked on column {first['column']}: "
            f"{first['failure_case']}"
        )
    key = unique_key(contract)
    missing_rules = {name: missing_rule(name) for name in contract_columns(contract)}
    located = cases.select(
        row_number=readable["row_number"].gather(cases["index"].cast(pl.Int64)),
        column=pl.when(pl.col("check") == _UNIQUENESS_CHECK)
        .then(pl.lit(" + ".join(key)))
        .otherwise(pl.col("column")),
        rule=pl.when(pl.col("check") == _UNIQUENESS_CHECK)
        .then(pl.lit(duplicate_rule(key)))
        .when(pl.col("check") == _NULLABLE_CHECK)
        .then(pl.col("column").replace_strict(missing_rules, default=None))
        .otherwise(pl.col("check")),
    )
    failing = original.join(located.select("row_number").unique(), on="row_number", how="semi")
    values = failing.select(
        "row_number",
        pl.concat_str([pl.col(name).fill_null("") for name in key], separator=" | ").alias(
            " + ".join(key)
        ),
        *(pl.col(name) for name in original.columns if name != "row_number"),
    ).unpivot(index="row_number", variable_name="column", value_name="value")
    return _failure_frame(
        [located.join(values, on=["row_number", "column"], how="left", maintain_order="left")]
    )


def _failure_frame(parts: list[pl.DataFrame]) -> pl.DataFrame:
    schema = {name: dtype for name, dtype in _FAILURE_SCHEMA.items() if name != "source_file"}
    frames = [part.select(list(schema)).cast(schema) for part in parts]  # type: ignore[arg-type]
    return pl.concat([pl.DataFrame(schema=schema), *frames])


@dataclass(frozen=True)
class SkippedFile:
    """A file or folder found under a given folder and not read, with the reason.

    ``harmless`` marks what holds no delivered data by its nature (hidden files, Excel lock
    files, notes such as ``manifest.json``): listed, but not a reason to fail a run.
    """

    path: Path
    reason: str
    harmless: bool = False


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Files to check: given files as they are, and every data file under given folders.

    Folders are searched recursively in sorted order; other files (``manifest.json``), hidden
    files and Excel lock files (``~$...``) are skipped: :func:`collect_inputs` says which and why.
    """
    return collect_inputs(paths)[0]


def collect_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[SkippedFile]]:
    """Like :func:`collect_files`, and every file or folder under the given folders not read."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        if path.is_dir():
            found, passed = _search_folder(path)
            files.extend(found)
            skipped.extend(passed)
        else:
            files.append(path)
    return files, skipped


def _search_folder(folder: Path) -> tuple[list[Path], list[SkippedFile]]:
    found: list[Path] = []
    skipped: list[SkippedFile] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        skipped.append(SkippedFile(where, f"folder cannot be opened: {error.strerror}"))

    for root, folders, names in os.walk(folder, onerror=unreadable):
        here = Path(root)
        for name in list(folders):
            if name.startswith("."):
                skipped.append(SkippedFile(here / name, "hidden folder, not searched", True))
                folders.remove(name)
            elif (here / name).is_symlink():
                skipped.append(
                    SkippedFile(here / name, "link to a folder, not followed; give it by name")
                )
        for name in names:
            candidate = here / name
            reason = _skip_reason(candidate)
            if reason is None:
                found.append(candidate)
            else:
                skipped.append(reason)
    return sorted(found), sorted(skipped, key=lambda item: item.path)


def _skip_reason(path: Path) -> SkippedFile | None:
    """Why a file found in a folder is not read, or None when it is."""
    name = path.name
    if name.startswith("~$"):
        return SkippedFile(path, "Excel lock file (the workbook is open in Excel)", True)
    if name.startswith("."):
        return SkippedFile(path, "hidden file (its name starts with a dot)", True)
    if path.is_symlink() and not path.exists():
        return SkippedFile(path, f"broken link to {os.readlink(path)}")
    if not path.is_file():
        return SkippedFile(path, NOT_A_FILE)
    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    return SkippedFile(path, unsupported_type_problem(path), suffix not in UNSUPPORTED_TYPES)


@dataclass
class ValidationRun:
    """What ``workforce validate`` found: paths absent, files to check, files passed over, and
    (after :meth:`check`) each file's result or the reason it could not be checked."""

    absent: list[Path]
    files: list[Path]
    skipped: list[SkippedFile]
    results: list[ValidationResult] = field(default_factory=list)
    file_errors: list[RawFileError] = field(default_factory=list)
    reference_error: ReferenceError | None = None

    def check(
        self, on_checked: Callable[[ValidationResult | RawFileError], None] | None = None
    ) -> ValidationRun:
        """Check every file in order, calling ``on_checked`` after each; stop when the
        reference tables cannot be loaded (every file needs them)."""
        for path in self.files:
            outcome: ValidationResult | RawFileError
            try:
                outcome = check_file(path)
            except RawFileError as error:
                self.file_errors.append(error)
                outcome = error
            except ReferenceError as error:
                self.reference_error = error
                return self
            else:
                self.results.append(outcome)
            if on_checked is not None:
                on_checked(outcome)
        return self

    @property
    def rows_valid(self) -> int:
        """Rows that passed, over every checked file."""
        return sum(result.rows_valid for result in self.results)

    @property
    def rows_rejected(self) -> int:
        """Rows that failed at least one rule, over every checked file."""
        return sum(result.rows_rejected for result in self.results)

    def rule_counts(self) -> dict[str, int]:
        """Rows failing each rule over every file, most frequent first."""
        per_rule: dict[str, int] = {}
        for result in self.results:
            for rule, rows in result.rule_counts.items():
                per_rule[rule] = per_rule.get(rule, 0) + rows
        return dict(sorted(per_rule.items(), key=lambda item: (-item[1], item[0])))

    def first_failures(self, count: int = EXAMPLES_SHOWN) -> pl.DataFrame:
        """The first ``count`` failures, file by file."""
        frames = [result.failures for result in self.results]
        return pl.concat(frames).head(count) if frames else pl.DataFrame(schema=_FAILURE_SCHEMA)

    @property
    def exit_code(self) -> int:
        """0: every row of every file is valid; 1: a row or a file failed, or there was nothing
        to check; 2: a path does not exist or the reference tables cannot be loaded."""
        if not self.files:
            return 2 if self.absent else 1
        if self.reference_error is not None or self.absent:
            return 2
        passed_over = any(not item.harmless for item in self.skipped)
        clean = all(result.is_clean for result in self.results)
        return 0 if clean and not self.file_errors and not passed_over else 1


def validation_run(paths: Sequence[Path]) -> ValidationRun:
    """The files under ``paths`` to check, those passed over and the paths that do not exist;
    :meth:`ValidationRun.check` checks them."""
    absent = [path for path in paths if not path.exists()]
    files, skipped = collect_inputs([path for path in paths if path.exists()])
    return ValidationRun(absent=absent, files=files, skipped=skipped)


def validate_paths(paths: Sequence[Path]) -> ValidationRun:
    """Check files and folders: :func:`validation_run` with every file checked."""
    return validation_run(paths).check()


def check_file(path: Path) -> ValidationResult:
    """:func:`validate_file`, where any unexpected failure becomes a problem of that file only.

    A file that breaks the reader in a way nobody foresaw must not stop the other files of a
    run: the failure is reported for this file, by the type and first line of the error.
    """
    if not path.is_file():
        raise RawFileError(path, NOT_A_FILE)
    try:
        return validate_file(path)
    except (RawFileError, ReferenceError):
        raise
    except Exception as error:  # one file must never stop a run
        lines = str(error).strip().splitlines()
        detail = f"{type(error).__name__}: {lines[0] if lines else 'no message'}"
        raise RawFileError(
            path, f"could not be read ({detail}); the file was passed over, the others were not"
        ) from None
