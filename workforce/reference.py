"""Reference code lists: municipalities, sectors, professions, programmes, institutions.

The tables live as CSV in ``data/reference/`` (versioned in git, sources in ``SOURCES.md`` there).
Every code is read as a string, so leading zeros (``GM0310``, BRIN ``09MR``) survive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

DEFAULT_REGION = "AM13"
"""Labour-market region the project serves by default: Midden-Utrecht."""

REFERENCE_ENV = "WORKFORCE_REFERENCE"

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("15-24", 15, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65+", 65, 200),
)
"""Age bands (label, lowest age, highest age) of every mart and model; age = year - birth_year."""


def entry_age(education_level: str) -> int:
    """Youngest plausible age to work in a profession that asks this education level."""
    if education_level.startswith("WO"):
        return 25
    if "master" in education_level:
        return 26
    if education_level.startswith("HBO"):
        return 22
    if education_level in ("MBO1", "MBO2"):
        return 17
    return 19


_REPOSITORY_REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"

_TABLES: dict[str, tuple[str, dict[str, type[pl.DataType]]]] = {
    # table name -> (primary key, non-string columns)
    "municipalities": ("municipality_code", {}),
    "sectors": ("sector_code", {}),
    "sbi_codes": ("sbi_code", {}),
    "professions": ("profession_code", {}),
    "programmes": ("programme_code", {"nominal_years": pl.Int64}),
    "programme_codes": ("code", {}),
    "institutions": ("institution_code", {}),
    "programme_professions": ("", {"entry_share": pl.Float64}),
    "programme_offerings": ("", {}),
}


class ReferenceError(ValueError):
    """A reference table is missing or inconsistent."""


def reference_dir() -> Path:
    """Folder of the reference CSVs: ``$WORKFORCE_REFERENCE``, else the repository's own."""
    return Path(os.environ.get(REFERENCE_ENV, _REPOSITORY_REFERENCE))


@dataclass(frozen=True)
class Reference:
    """All reference tables, checked for unique keys and for links between them."""

    municipalities: pl.DataFrame
    sectors: pl.DataFrame
    sbi_codes: pl.DataFrame
    professions: pl.DataFrame
    programmes: pl.DataFrame
    programme_codes: pl.DataFrame
    institutions: pl.DataFrame
    programme_professions: pl.DataFrame
    programme_offerings: pl.DataFrame

    def municipality_codes(self, region_code: str | None = None) -> list[str]:
        """CBS ``GMxxxx`` codes, of one labour-market region or of all known regions."""
        frame = self.municipalities
        if region_code is not None:
            frame = frame.filter(pl.col("region_code") == region_code)
            if frame.is_empty():
                known = ", ".join(self.region_codes())
                raise ReferenceError(f"unknown region {region_code!r}; known regions: {known}")
        return frame["municipality_code"].to_list()

    def region_codes(self) -> list[str]:
        """Labour-market region codes (``AMnn``) in the order of the municipality table."""
        return self.municipalities["region_code"].unique(maintain_order=True).to_list()

    def sector_codes(self) -> list[str]:
        """Project keys of the 10 AZW branches."""
        return self.sectors["sector_code"].to_list()

    def profession_codes(self) -> list[str]:
        """Project keys of the care and welfare professions."""
        return self.professions["profession_code"].to_list()

    def institution_codes(self) -> list[str]:
        """BRIN codes of the education institutions."""
        return self.institutions["institution_code"].to_list()

    def education_codes(self) -> list[str]:
        """Every crebo and croho code, current and previous, that maps to a programme."""
        return self.programme_codes["code"].to_list()

    def programme_of(self, codes: pl.Expr) -> pl.Expr:
        """Expression mapping crebo/croho codes (old or new) to their programme's current code."""
        mapping = dict(
            zip(
                self.programme_codes["code"].to_list(),
                self.programme_codes["programme_code"].to_list(),
                strict=True,
            )
        )
        return codes.replace_strict(mapping, default=None, return_dtype=pl.String)


def _read_table(directory: Path, name: str) -> pl.DataFrame:
    path = directory / f"{name}.csv"
    if not path.is_file():
        raise ReferenceError(f"reference table {path} is missing")
    key, typed = _TABLES[name]
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col(column).cast(dtype) for column, dtype in typed.items()
    )
    if key:
        duplicated = frame.filter(pl.col(key).is_duplicated())[key].unique().sort().to_list()
        if duplicated:
            raise ReferenceError(f"{path}: duplicate {key} values {duplicated}")
        if frame[key].null_count():
            raise ReferenceError(f"{path}: empty {key}")
    return frame


def _check_links(reference: Reference, directory: Path) -> None:
    links = [
        ("programme_codes", "programme_code", reference.programmes["programme_code"]),
        ("programme_professions", "programme_code", reference.programmes["programme_code"]),
        ("programme_professions", "profession_code", reference.professions["profession_code"]),
        ("programme_offerings", "programme_code", reference.programmes["programme_code"]),
        ("programme_offerings", "institution_code", reference.institutions["institution_code"]),
    ]
    for table, column, allowed in links:
        values = getattr(reference, table)[column]
        unknown = values.filter(~values.is_in(allowed.implode())).unique().sort().to_list()
        if unknown:
            raise ReferenceError(f"{directory / table}.csv: {column} values not defined: {unknown}")
    shares = reference.programme_professions.group_by("programme_code").agg(
        pl.col("entry_share").sum()
    )
    over = shares.filter(pl.col("entry_share") > 1.0)["programme_code"].to_list()
    if over:
        raise ReferenceError(
            f"programme_professions.csv: entry shares add up to more than 1 for {over}"
        )


@cache
def _load(directory: Path) -> Reference:
    reference = Reference(**{name: _read_table(directory, name) for name in _TABLES})
    _check_links(reference, directory)
    return reference


def load_reference(directory: Path | None = None) -> Reference:
    """Load and check the reference tables (cached per folder)."""
    return _load((directory or reference_dir()).resolve())
