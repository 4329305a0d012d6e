"""Idempotent, incremental loading of raw extracts into the staging area.

``ingest_paths`` validates every file against its contract, writes the clean rows to
``<data>/staging/<source>/<file_id>.parquet`` and the rejected rows, with the rule each broke,
to ``<data>/quarantine/<source>/``. The load manifest (``<data>/staging/files.parquet`` and
``coverage.parquet``) records per file its content hash, source, employer or institution, the
period it covers and its row counts, so that:

- loading the same content twice changes nothing (the file id is the SHA-256 of the bytes);
- a newer extract of the same employer or institution replaces an older one for the periods it
  covers (applied when the marts are built, see :func:`effective_rows`).

Every write goes to a temporary file that is renamed into place
(:func:`workforce.store.write_frame`), so a killed load leaves the previous state readable; the
``workforce ingest`` command holds the data folder's writer lock, so two loads never interleave
their manifests.

Over 500 lines because loading a file, holding a suspicious extract and choosing which extract
covers which period all read and write the one load manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from workforce.ingest.history import (
    extract_date_problem,
    removal_problem,
    shared_staff_problem,
)
from workforce.ingest.readers import RawFileError
from workforce.ingest.validate import (
    NOT_A_FILE,
    SkippedFile,
    ValidationResult,
    check_file,
    collect_inputs,
)
from workforce.reference import ReferenceError
from workforce.schemas import CONTRACTS, Contract, contract_columns, unique_key
from workforce.store import Store, holds_lock, write_frame

SOURCES = ("staff", "vacancies", "education", "population")
RELEASE_SOURCES = ("population",)
"""Sources published as releases (counts, projection vintages): a newer file adds to what was
published, it does not rewrite a party's history, so it is never held for what it replaces."""
SOURCE_OF_CONTRACT = {
    "StaffSpell": "staff",
    "Vacancy": "vacancies",
    "EducationCohort": "education",
    "PopulationCount": "population",
}
CONTRACT_OF_SOURCE: dict[str, Contract] = {
    SOURCE_OF_CONTRACT[contract.__name__]: contract for contract in CONTRACTS
}
PARTY_COLUMN = {
    "staff": "employer_id",
    "vacancies": "employer_id",
    "education": "institution_code",
    "population": "kind",
}
"""The column naming who delivered a row: an employer, an institution, or (for population,
where the newest file wins per key, see :mod:`workforce.marts.population`) the kind of figures."""

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_EVENT_DATES = {"staff": ("start_date",), "vacancies": ("opened_on", "closed_on")}
_FILES_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "source": pl.String(),
    "path": pl.String(),
    "extract_date": pl.Date(),
    "extract_date_from": pl.String(),
    "rows_read": pl.Int64(),
    "rows_kept": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "status": pl.String(),
    "problem": pl.String(),
    "sequence": pl.Int64(),
    "loaded_at": pl.Datetime("us"),
}
_COVERAGE_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "source": pl.String(),
    "party": pl.String(),
    "covers_from": pl.Date(),
    "covers_to": pl.Date(),
    "extract_date": pl.Date(),
    "sequence": pl.Int64(),
    "rows_kept": pl.Int64(),
}


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input file."""

    path: Path
    status: str  # loaded | unchanged | refused | held
    source: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    rule_counts: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    parties: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    """Outcomes of one ``ingest`` run, in input order, and the files under folders not read."""

    outcomes: list[FileOutcome]
    skipped: list[SkippedFile] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with ``status``."""
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def rows_kept(self) -> int:
        """Clean rows loaded in this run."""
        return sum(outcome.rows_kept for outcome in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        """Rows written to quarantine in this run."""
        return sum(outcome.rows_quarantined for outcome in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0: everything loaded or already there; 1: a file was refused, held or not read, rows
        were quarantined, or nothing at all was loaded."""
        if not self.count("loaded") and not self.count("unchanged"):
            return 1
        not_read = any(not item.harmless for item in self.skipped)
        problems = self.count("refused") or self.count("held") or not_read
        return 1 if problems or self.rows_quarantined else 0


@dataclass(frozen=True)
class Staging:
    """The folders of a data directory that ingest writes to."""

    data_dir: Path

    @property
    def root(self) -> Path:
        return Store(self.data_dir).staging

    @property
    def files_path(self) -> Path:
        return self.root / "files.parquet"

    @property
    def coverage_path(self) -> Path:
        return self.root / "coverage.parquet"

    def rows_path(self, source: str, file_id: str) -> Path:
        return self.root / source / f"{file_id}.parquet"

    def quarantine_path(self, source: str, path: Path, file_id: str) -> Path:
        return Store(self.data_dir).quarantine / source / f"{path.stem}-{file_id[:12]}.csv"

    def files(self) -> pl.DataFrame:
        """The manifest of every file ever offered, one row per file."""
        return _read_or_empty(self.files_path, _FILES_SCHEMA)

    def coverage(self) -> pl.DataFrame:
        """Per loaded file and party: the period the file covers."""
        return _read_or_empty(self.coverage_path, _COVERAGE_SCHEMA)


def file_id_of(path: Path) -> str:
    """The SHA-256 of a file's bytes: the same content always gets the same id."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_date_of(path: Path, default: dt.date) -> tuple[dt.date, str]:
    """The extract date in a file name such as ``VVT-03_2025-12-31.csv``, else ``default``."""
    match = _DATE_IN_NAME.search(path.name)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1)), "file name"
        except ValueError:
            pass
    return default, "default"


@holds_lock("ingest")
def ingest_paths(
    paths: Sequence[Path],
    data_dir: Path,
    *,
    extract_date: dt.date | None = None,
    now: dt.datetime | None = None,
    accept_changes: bool = False,
) -> IngestReport:
    """Validate and load files and folders into ``data_dir``; see the module docstring.

    ``extract_date`` is used for files whose name carries no date (default: today). Rows dated
    after their file's extract date are quarantined. A file whose name dates it in the future or
    on a day that does not exist is refused; a file that would rewrite an employer's history
    (:mod:`workforce.ingest.history`) is held whole in quarantine unless ``accept_changes``.
    No single file stops the run: a file that fails in an unforeseen way is refused, by name.
    """
    staging = Staging(data_dir)
    files = staging.files()
    coverage = staging.coverage()
    loaded = set(files.filter(pl.col("status") == "loaded")["file_id"].to_list())
    sequence = int(files["sequence"].max() or 0)  # type: ignore[arg-type]
    now = now or dt.datetime.now()
    default_date = extract_date or now.date()
    inputs, skipped = collect_inputs(list(paths))
    current = _CurrentStaff(data_dir)
    outcomes: list[FileOutcome] = []
    for path in inputs:
        try:
            if not path.is_file():
                raise OSError(0, NOT_A_FILE)  # never read a pipe: it would block
            file_id = file_id_of(path)
        except OSError as error:
            file_id = "unopened-" + hashlib.sha256(str(path).encode()).hexdigest()
            problem = f"cannot be opened: {error.strerror or error}"
            unopened: dict[str, object] = {"file_id": file_id, "path": str(path)}
            outcome, file_row, cover_rows = _refused(path, unopened, problem)
        else:
            if file_id in loaded:
                outcomes.append(FileOutcome(path, "unchanged"))
                continue
            date, date_from = extract_date_of(path, default_date)
            context = _Context(staging, coverage, sequence + 1, current, accept_changes)
            try:
                outcome, file_row, cover_rows = _load_one(
                    path, file_id, date, context, today=now.date()
                )
            except (OSError, ReferenceError):
                raise  # the data folder or the reference tables: no file can load
            except Exception as error:  # one file must never stop a run
                lines = str(error).strip().splitlines()
                detail = f"{type(error).__name__}: {lines[0] if lines else 'no message'}"
                problem = f"could not be loaded ({detail}); the other files were loaded"
                base = {"file_id": file_id, "path": str(path), "extract_date": date}
                outcome, file_row, cover_rows = _refused(path, base, problem)
            file_row["extract_date_from"] = date_from
        sequence += 1
        files = pl.concat(
            [
                files.filter(pl.col("file_id") != file_id),
                _frame([{**file_row, "sequence": sequence, "loaded_at": now}], _FILES_SCHEMA),
            ]
        )
        coverage = pl.concat(
            [
                coverage.filter(pl.col("file_id") != file_id),
                _frame([{**row, "sequence": sequence} for row in cover_rows], _COVERAGE_SCHEMA),
            ]
        )
        if outcome.status == "loaded":
            loaded.add(file_id)
        outcomes.append(outcome)
        write_frame(coverage, staging.coverage_path)
        write_frame(files, staging.files_path)
    return IngestReport(outcomes, skipped)


@dataclass
class _Context:
    """What loading one file needs to know about the data folder."""

    staging: Staging
    coverage: pl.DataFrame
    sequence: int
    current: _CurrentStaff
    accept_changes: bool


class _CurrentStaff:
    """Ongoing contracts per employer (``employer_id, person_key``), read once per run and kept
    up to date as staff files load, to find an employer delivered under a second name."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._frame: pl.DataFrame | None = None

    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = (
                effective_rows(self.data_dir, "staff")
                .filter(pl.col("end_date").is_null())
                .select("employer_id", "person_key")
                .collect()
            )
        return self._frame

    def replace(self, rows: pl.DataFrame) -> None:
        """Record a loaded staff file: its employers' current staff are now its own."""
        if self._frame is None:
            return
        ongoing = rows.filter(pl.col("end_date").is_null()).select("employer_id", "person_key")
        parties = rows["employer_id"].unique().implode()
        self._frame = pl.concat(
            [self._frame.filter(~pl.col("employer_id").is_in(parties)), ongoing]
        )


def _refused(
    path: Path, base: dict[str, object], problem: str
) -> tuple[FileOutcome, dict[str, object], list[dict[str, object]]]:
    row = {**base, "source": None, "rows_read": 0, "rows_kept": 0, "rows_quarantined": 0}
    row |= {"status": "refused", "problem": problem}
    return FileOutcome(path, "refused", problem=problem), row, []


def _load_one(
    path: Path, file_id: str, extract_date: dt.date, context: _Context, *, today: dt.date
) -> tuple[FileOutcome, dict[str, object], list[dict[str, object]]]:
    staging = context.staging
    base: dict[str, object] = {
        "file_id": file_id,
        "path": str(path),
        "extract_date": extract_date,
    }
    match = _DATE_IN_NAME.search(path.name)
    problem = extract_date_problem(match.group(1) if match else None, today)
    if problem is None and extract_date > today:
        problem = f"the extract date {extract_date.isoformat()} lies in the future"
    if problem is not None:
        return _refused(path, base, problem)
    try:
        result = check_file(path)
    except RawFileError as error:
        return _refused(path, base, error.problem)
    source = SOURCE_OF_CONTRACT[result.contract]
    party_column = PARTY_COLUMN[source]
    known = context.coverage.filter(pl.col("source") == source)["party"].unique()
    result = _known_spelling(result, party_column, known)
    result = reject_after_extract(result, source, extract_date)
    cover_rows = [
        {**row, "file_id": file_id, "source": source}
        | {"covers_to": extract_date, "extract_date": extract_date}
        for row in _coverage(result.valid, source, party_column).iter_rows(named=True)
    ]
    if not context.accept_changes and source not in RELEASE_SOURCES:
        problems = _history_problems(context, source, file_id, result.valid, cover_rows)
        if problems:
            return _hold(path, base, staging, source, result, problems)
    rows = result.valid.with_columns(file_id=pl.lit(file_id))
    write_frame(rows, staging.rows_path(source, file_id))
    if source == "staff":
        context.current.replace(result.valid)
    quarantine = staging.quarantine_path(source, path, file_id)
    if result.is_clean:
        quarantine.unlink(missing_ok=True)
    else:
        write_frame(result.rejected, quarantine)
    row = {
        **base,
        "source": source,
        "rows_read": result.rows_read,
        "rows_kept": result.rows_valid,
        "rows_quarantined": result.rows_rejected,
        "status": "loaded",
        "problem": None,
    }
    outcome = FileOutcome(
        path,
        "loaded",
        source=source,
        rows_read=result.rows_read,
        rows_kept=result.rows_valid,
        rows_quarantined=result.rows_rejected,
        rule_counts=result.rule_counts,
        parties=tuple(str(row["party"]) for row in cover_rows),
    )
    return outcome, row, cover_rows


def _known_spelling(
    result: ValidationResult, party_column: str, known: pl.Series
) -> ValidationResult:
    """Write each employer (or institution) as it was first delivered when a new file spells
    it with another case or spacing (``ggz-01`` for ``GGZ-01``)."""
    if known.is_empty() or result.valid.is_empty():
        return result
    by_key: dict[str, str] = {}
    for spelling in known.drop_nulls().to_list():
        by_key.setdefault("".join(spelling.split()).lower(), spelling)
    delivered = result.valid[party_column].drop_nulls().unique().to_list()
    changes = {
        spelling: by_key["".join(spelling.split()).lower()]
        for spelling in delivered
        if by_key.get("".join(spelling.split()).lower(), spelling) != spelling
    }
    if not changes:
        return result
    valid = result.valid.with_columns(pl.col(party_column).replace(changes))
    return replace(result, valid=valid)


def _history_problems(
    context: _Context,
    source: str,
    file_id: str,
    valid: pl.DataFrame,
    cover_rows: list[dict[str, object]],
) -> list[str]:
    """Per employer of the file: what it would remove, or whose staff it would count twice."""
    party_column = PARTY_COLUMN[source]
    key = unique_key(CONTRACT_OF_SOURCE[source])
    problems: list[str] = []
    for cover in cover_rows:
        party = str(cover["party"])
        earlier = context.coverage.filter((pl.col("source") == source) & (pl.col("party") == party))
        if earlier.is_empty():
            if source == "staff":
                current = valid.filter(
                    (pl.col(party_column) == party) & pl.col("end_date").is_null()
                )
                others = context.current.frame().filter(pl.col("employer_id") != party)
                problem = shared_staff_problem(party, current, others)
                if problem:
                    problems.append(problem)
            continue
        pending = _frame([{**cover, "sequence": context.sequence}], _COVERAGE_SCHEMA)
        rows = valid.filter(pl.col(party_column) == party).with_columns(file_id=pl.lit(file_id))
        party_rows = pl.col(party_column) == party
        before = _effective(context.staging, source, earlier, []).filter(party_rows)
        after = _effective(
            context.staging, source, pl.concat([earlier, pending]), [rows.lazy()]
        ).filter(party_rows)
        problem = removal_problem(source, party, before.collect(), after.collect(), key)
        if problem:
            problems.append(problem)
    return problems


def _hold(
    path: Path,
    base: dict[str, object],
    staging: Staging,
    source: str,
    result: ValidationResult,
    problems: list[str],
) -> tuple[FileOutcome, dict[str, object], list[dict[str, object]]]:
    """Keep every row of the file in quarantine, under the reason it was held."""
    reason = "held: " + "; ".join(problems)
    held = result.valid.select(pl.all().cast(pl.String)).with_columns(
        row_number=result.valid_row_numbers,
        source_file=pl.lit(result.source_file),
        column=pl.lit("(whole file)"),
        rule=pl.lit(reason),
        value=pl.lit(None, dtype=pl.String),
    )
    rejected = pl.concat(
        [held.select(result.rejected.columns), result.rejected], how="vertical_relaxed"
    ).sort("row_number", maintain_order=True)
    write_frame(rejected, staging.quarantine_path(source, path, str(base["file_id"])))
    problem = (
        f"{'; '.join(problems)}. The file is held in quarantine; if this is what you meant, "
        "load it again with --accept-changes"
    )
    row = {
        **base,
        "source": source,
        "rows_read": result.rows_read,
        "rows_kept": 0,
        "rows_quarantined": result.rows_read,
        "status": "held",
        "problem": problem,
    }
    outcome = FileOutcome(
        path,
        "held",
        source=source,
        rows_read=result.rows_read,
        rows_quarantined=result.rows_read,
        problem=problem,
    )
    return outcome, row, []


def reject_after_extract(
    result: ValidationResult, source: str, extract_date: dt.date
) -> ValidationResult:
    """Move rows dated after the extract date from the clean rows to the rejected ones."""
    if source == "population":  # projections speak of the future by nature
        return result
    valid = result.valid.with_row_index("_position")
    if source == "education":
        checks = {"cohort_year": pl.col("cohort_year") > extract_date.year}
    else:
        checks = {column: pl.col(column) > extract_date for column in _EVENT_DATES[source]}
    failing = [
        valid.filter(condition.fill_null(False)).select(
            "_position", column=pl.lit(column), value=pl.col(column).cast(pl.String)
        )
        for column, condition in checks.items()
    ]
    late = pl.concat(failing)
    if late.is_empty():
        return result
    row_numbers = _row_numbers(result)
    failures = late.join(row_numbers, on="_position").select(
        source_file=pl.lit(result.source_file),
        row_number="row_number",
        column="column",
        rule=pl.col("column") + pl.lit(f" after the extract date ({extract_date.isoformat()})"),
        value="value",
    )
    originals = valid.join(late.select("_position").unique(), on="_position", how="semi")
    originals = originals.join(row_numbers, on="_position").select(
        "row_number", *(pl.col(name).cast(pl.String) for name in result.valid.columns)
    )
    rejected = pl.concat(
        [
            result.rejected,
            failures.join(originals, on="row_number", how="left").select(result.rejected.columns),
        ],
        how="vertical_relaxed",
    ).sort("row_number", maintain_order=True)
    kept = valid.join(late.select("_position").unique(), on="_position", how="anti")
    return ValidationResult(
        source_file=result.source_file,
        contract=result.contract,
        rows_read=result.rows_read,
        valid=kept.drop("_position"),
        rejected=rejected,
        ignored_columns=result.ignored_columns,
        valid_row_numbers=result.valid_row_numbers.gather(kept["_position"]),
    )


def _row_numbers(result: ValidationResult) -> pl.DataFrame:
    """Spreadsheet row number of every clean row, by position in ``result.valid``."""
    return result.valid_row_numbers.to_frame("row_number").with_row_index("_position")


def _coverage(valid: pl.DataFrame, source: str, party_column: str) -> pl.DataFrame:
    """Per party: the first day of the period the file speaks about."""
    if source == "education":
        first = pl.date(pl.col("cohort_year").min(), 1, 1)
    elif source == "population":
        first = pl.date(pl.col("year").min(), 1, 1)
    else:
        end, start = ("end_date", "start_date") if source == "staff" else ("closed_on", "opened_on")
        first = pl.coalesce(pl.col(end).min(), pl.col(start).min())
    return (
        valid.group_by(pl.col(party_column).alias("party"))
        .agg(covers_from=first, rows_kept=pl.len().cast(pl.Int64))
        .sort("party")
    )


def effective_rows(data_dir: Path, source: str) -> pl.LazyFrame:
    """The clean rows of ``source`` after newer extracts replaced older ones.

    For each employer (or institution), a file's rows are kept only where no file with a later
    extract date (or, on the same date, loaded later) covers them: a staff spell or vacancy is
    kept when it ended before the newer file's first covered day, a cohort when its year lies
    before the newer file's first cohort.
    """
    staging = Staging(data_dir)
    coverage = staging.coverage().filter(pl.col("source") == source)
    return _effective(staging, source, coverage, [])


def _effective(
    staging: Staging, source: str, coverage: pl.DataFrame, pending: list[pl.LazyFrame]
) -> pl.LazyFrame:
    """:func:`effective_rows` for the files in ``coverage``; rows of files not yet written
    (``pending``, with their ``file_id``) are given as frames."""
    if coverage.is_empty():
        schema = contract_columns(CONTRACT_OF_SOURCE[source]) | {"file_id": pl.String()}
        return pl.LazyFrame(schema=schema)
    if source == "population":
        return _newest_per_key(staging, coverage)
    cutoffs = _cutoffs(coverage)
    party = PARTY_COLUMN[source]
    stored = coverage["file_id"].unique(maintain_order=True).to_list()
    scans = [
        pl.scan_parquet(path)
        for file_id in stored
        if (path := staging.rows_path(source, file_id)).exists()
    ]
    # diagonal: files staged before an optional column existed lack it (read as empty)
    rows = pl.concat([*scans, *pending], how="diagonal_relaxed").join(
        cutoffs.lazy(), left_on=["file_id", party], right_on=["file_id", "party"], how="left"
    )
    if source == "education":
        ends = pl.date(pl.col("cohort_year"), 1, 1)
    else:
        ends = pl.col("end_date" if source == "staff" else "closed_on")
    keep = pl.col("cutoff").is_null() | (ends.is_not_null() & (ends < pl.col("cutoff")))
    return rows.filter(keep).drop("cutoff")


def _newest_per_key(staging: Staging, coverage: pl.DataFrame) -> pl.LazyFrame:
    """Population rows: each vintage is its own release, so per municipality, year, sex, age,
    kind and vintage the row of the newest file (by extract date, then load order) wins."""
    order = coverage.group_by("file_id").agg(pl.col("extract_date").max(), pl.col("sequence").max())
    scans = [
        pl.scan_parquet(staging.rows_path("population", file_id))
        for file_id in order["file_id"].to_list()
    ]
    key = unique_key(CONTRACT_OF_SOURCE["population"])
    return (
        pl.concat(scans, how="vertical_relaxed")
        .join(order.lazy(), on="file_id")
        .sort("extract_date", "sequence")
        .unique(subset=key, keep="last", maintain_order=True)
        .drop("extract_date", "sequence")
    )


def _cutoffs(coverage: pl.DataFrame) -> pl.DataFrame:
    """Per file and party: the earliest first day covered by any newer file of that party."""
    ordered = coverage.sort(["party", "extract_date", "sequence"], descending=[False, True, True])
    return ordered.select(
        "file_id",
        "party",
        cutoff=pl.col("covers_from").cum_min().shift(1).over("party"),
    )


def _frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(
        [{name: row.get(name) for name in schema} for row in rows],
        schema=schema,
        orient="row",
    )


def _read_or_empty(path: Path, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=schema)


def iter_quarantine(data_dir: Path) -> Iterator[Path]:
    """Every quarantine file under ``data_dir``."""
    yield from sorted(Store(data_dir).quarantine.glob("*/*.csv"))
