"""Pseudonymise an HR extract before it leaves the employer.

The identifier column (normally the BSN) becomes ``person_key`` = HMAC-SHA256 of the
normalised identifier under the one regional key, written as 64 lowercase hexadecimal
characters, as ``docs/data-contracts.md`` asks. Every employer of the region uses the same key,
so the same person gets the same ``person_key`` everywhere, and nobody without the key can link
a ``person_key`` back to a BSN. Direct identifiers (name, BSN, address, e-mail, phone, staff
number, full birth date) are dropped; a birth date becomes ``birth_year``. The key is never
written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.csv_safety import write_csv

KEY_ENV = "WORKFORCE_REGIONAL_KEY"
"""Environment variable that may hold the regional key (instead of a key file)."""

PERSON_KEY = "person_key"

DIRECT_IDENTIFIERS = frozenset(
    {
        # names
        "name", "naam", "full_name", "volledige_naam", "first_name", "firstname", "given_name",
        "voornaam", "voornamen", "roepnaam", "last_name", "lastname", "surname", "family_name",
        "achternaam", "geslachtsnaam", "tussenvoegsel", "initials", "voorletters",
        "employee_name", "medewerker", "naam_medewerker",
        # national and staff numbers
        "bsn", "burgerservicenummer", "sofinummer", "sofi_nummer", "ssn", "national_id",
        "citizen_service_number", "personeelsnummer", "staff_number", "employee_number",
        "employee_id", "medewerkernummer", "iban", "rekeningnummer", "passport", "paspoortnummer",
        # address
        "address", "adres", "street", "straat", "straatnaam", "house_number", "huisnummer",
        "postcode", "postal_code", "zip", "zipcode", "zip_code", "city", "woonplaats", "plaats",
        # contact
        "email", "e_mail", "emailadres", "e_mailadres", "mail", "phone", "phone_number",
        "telephone", "telefoon", "telefoonnummer", "mobile", "mobiel", "mobiel_nummer", "tel",
    }
)  # fmt: skip
"""Normalised column names that are always dropped."""

BIRTH_DATES = frozenset(
    {"birth_date", "birthdate", "date_of_birth", "dob", "geboortedatum", "geb_datum"}
)
"""Normalised column names of a full birth date: coarsened to ``birth_year``."""

_YEAR = r"((?:19|20)\d{2})"


class PseudonymiseError(ValueError):
    """A user mistake: missing column, empty key, unreadable file. The message names them."""


@dataclass(frozen=True)
class PseudonymiseResult:
    """What was written: rows, the columns dropped and whether a birth year was derived."""

    rows: int
    dropped: tuple[str, ...]
    birth_year_from: str | None


def normalise_column_name(name: str) -> str:
    """``E-mail adres`` -> ``e_mail_adres``: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def normalise_identifier(value: str) -> str:
    """Spaces, dots and dashes removed, lower case; a BSN that lost its leading zero gets it back.

    ``"012.345.678"``, ``" 12345678 "`` and ``"012345678"`` all give ``"012345678"``, so the
    same person gets the same key whatever the HR system's formatting.
    """
    text = re.sub(r"[\s.\-_/]", "", value).lower()
    if re.fullmatch(r"\d+\.0", value.strip()):  # a number read as float from a spreadsheet
        text = value.strip()[:-2]
    if text.isdigit() and len(text) < 9:
        text = text.zfill(9)
    return text


def person_key(identifier: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised identifier under the regional key, 64 hex characters."""
    return hmac.new(
        key, normalise_identifier(identifier).encode("utf-8"), hashlib.sha256
    ).hexdigest()


def regional_key(key_file: Path | None, environ: Mapping[str, str] | None = None) -> bytes:
    """The regional key from ``key_file``, else from ``$WORKFORCE_REGIONAL_KEY``; never empty."""
    environ = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as error:
            raise PseudonymiseError(
                f"cannot read key file {key_file}: {error.strerror or error}"
            ) from None
        if not key:
            raise PseudonymiseError(f"key file {key_file} is empty")
        return key
    key = environ.get(KEY_ENV, "").strip().encode("utf-8")
    if not key:
        raise PseudonymiseError(f"no regional key: pass --key-file or set ${KEY_ENV}")
    return key


def direct_identifier_columns(columns: Iterable[str], extra: Sequence[str] = ()) -> list[str]:
    """Columns to drop: known direct identifiers and ``extra`` (matched after normalising)."""
    wanted = DIRECT_IDENTIFIERS | {normalise_column_name(name) for name in extra}
    return [name for name in columns if normalise_column_name(name) in wanted]


def read_table(path: Path) -> pl.DataFrame:
    """A CSV or xlsx file with every column as text (leading zeros of a BSN survive)."""
    if not path.is_file():
        raise PseudonymiseError(f"input file {path} not found")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            frame = pl.read_excel(path, infer_schema_length=0)
        else:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except Exception as error:  # polars and fastexcel raise many types for a bad file
        raise PseudonymiseError(f"cannot read {path}: {error}") from None
    return frame.with_columns(pl.all().cast(pl.String))


def pseudonymise(
    frame: pl.DataFrame,
    *,
    id_column: str,
    key: bytes,
    drop: Sequence[str] = (),
    birth_date_column: str | None = None,
    source: str = "the input",
) -> tuple[pl.DataFrame, PseudonymiseResult]:
    """Replace ``id_column`` by ``person_key``, drop direct identifiers, keep only a birth year."""
    if not key:
        raise PseudonymiseError("the regional key is empty")
    missing = [name for name in [id_column, *drop] if name not in frame.columns]
    if birth_date_column is not None and birth_date_column not in frame.columns:
        missing.append(birth_date_column)
    if missing:
        raise PseudonymiseError(
            f"column {', '.join(missing)} not in {source} (columns: {', '.join(frame.columns)})"
        )
    identifiers = frame[id_column].cast(pl.String)
    empty = int((identifiers.is_null() | (identifiers.str.strip_chars() == "")).sum())
    if empty:
        raise PseudonymiseError(f"{empty} rows of {source} have an empty {id_column}")
    keys = pl.Series(PERSON_KEY, [person_key(value, key) for value in identifiers.to_list()])
    birth_dates = [name for name in frame.columns if normalise_column_name(name) in BIRTH_DATES]
    if birth_date_column is not None:
        birth_dates = [birth_date_column, *birth_dates]
    birth_from = birth_dates[0] if birth_dates else None
    result = frame.with_columns(keys.alias(id_column)).rename({id_column: PERSON_KEY})
    if birth_from is not None and "birth_year" not in frame.columns:
        year = frame[birth_from].cast(pl.String).str.extract(_YEAR, 1).cast(pl.Int32)
        result = result.with_columns(year.alias("birth_year"))
    dropped = [
        name
        for name in dict.fromkeys([*direct_identifier_columns(result.columns, drop), *birth_dates])
        if name != PERSON_KEY
    ]
    result = result.drop(dropped)
    return result, PseudonymiseResult(
        rows=result.height, dropped=tuple(dropped), birth_year_from=birth_from
    )


def pseudonymise_file(
    input_path: Path,
    output_path: Path,
    *,
    id_column: str,
    key: bytes,
    drop: Sequence[str] = (),
    birth_date_column: str | None = None,
) -> PseudonymiseResult:
    """Read CSV or xlsx, pseudonymise, write CSV atomically (temporary file, then rename)."""
    if input_path.resolve() == output_path.resolve():
        raise PseudonymiseError(f"output {output_path} would overwrite the input")
    frame = read_table(input_path)
    result, summary = pseudonymise(
        frame,
        id_column=id_column,
        key=key,
        drop=drop,
        birth_date_column=birth_date_column,
        source=str(input_path),
    )
    partial = output_path.with_name(f".{output_path.name}.partial")
    try:
        output_path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(result, partial)
        partial.replace(output_path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PseudonymiseError(f"cannot write {output_path}: {error.strerror or error}") from None
    return summary
