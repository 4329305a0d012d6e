"""Pseudonymise an HR extract before it leaves the employer.

The identifier column (normally the BSN) becomes ``person_key`` = HMAC-SHA256 of the
normalised identifier under the one regional key, written as 64 lowercase hexadecimal
characters, as ``docs/data-contracts.md`` asks. Every employer of the region uses the same key,
so the same person gets the same ``person_key`` everywhere, and nobody without the key can link
a ``person_key`` back to a BSN.

Only the staff-spells contract's columns (and those the user names with ``--keep``) leave the
employer; every other column is dropped and reported, whatever its name. A full birth date
becomes ``birth_year``. Before anything is written, every kept value is searched for what looks
like a BSN, an e-mail address or a Dutch phone number, and the file is not written when one is
found. The key must be at least 32 bytes, from a file only its owner can read (or from the
environment); it is never written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.csv_safety import write_csv
from workforce.ingest.readers import RawFileError, read_raw
from workforce.schemas import StaffSpell, contract_columns
from workforce.store import replacing

KEY_ENV = "WORKFORCE_REGIONAL_KEY"
"""Environment variable that may hold the regional key (instead of a key file)."""

PERSON_KEY = "person_key"

KEY_MINIMUM_BYTES = 32
"""The shortest regional key accepted: 256 bits, the size of the HMAC-SHA256 output."""

BIRTH_DATES = frozenset(
    {"birth_date", "birthdate", "date_of_birth", "dob", "geboortedatum", "geb_datum"}
)
"""Normalised column names of a full birth date: coarsened to ``birth_year``."""

_YEAR = r"((?:19|20)\d{2})"


class PseudonymiseError(ValueError):
    """A user mistake: missing column, empty key, unreadable file. The message names them."""


@dataclass(frozen=True)
class PseudonymiseResult:
    """What was written: rows, every column dropped and whether a birth year was derived."""

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
    """The regional key from ``key_file``, else from ``$WORKFORCE_REGIONAL_KEY``.

    The key must be at least :data:`KEY_MINIMUM_BYTES` long and a key file readable by its
    owner only: a short key can be guessed, and a key others can read lets them reverse the
    pseudonyms of every employer in the region.
    """
    environ = os.environ if environ is None else environ
    if key_file is not None:
        _check_key_file_access(key_file)
        try:
            key = key_file.read_bytes().strip()
        except OSError as error:
            raise PseudonymiseError(
                f"cannot read key file {key_file}: {error.strerror or error}"
            ) from None
        if not key:
            raise PseudonymiseError(f"key file {key_file} is empty")
        where = f"key file {key_file}"
    else:
        key = environ.get(KEY_ENV, "").strip().encode("utf-8")
        if not key:
            raise PseudonymiseError(f"no regional key: pass --key-file or set ${KEY_ENV}")
        where = f"${KEY_ENV}"
    if len(key) < KEY_MINIMUM_BYTES:
        raise PseudonymiseError(
            f"the regional key in {where} is {len(key)} bytes; it must be at least "
            f"{KEY_MINIMUM_BYTES} bytes: make one with "
            "python -c 'import secrets; print(secrets.token_hex(32))' and share it with the "
            "region's employers only"
        )
    return key


def _check_key_file_access(key_file: Path) -> None:
    if os.name != "posix":
        return
    try:
        mode = key_file.stat().st_mode
    except OSError as error:
        raise PseudonymiseError(
            f"cannot read key file {key_file}: {error.strerror or error}"
        ) from None
    if mode & 0o077:
        raise PseudonymiseError(
            f"key file {key_file} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"make it readable by its owner only: chmod 600 {key_file}"
        )


def read_table(path: Path) -> pl.DataFrame:
    """A CSV, xlsx or Parquet file with every column as text (leading zeros of a BSN survive).

    Read as ``workforce ingest`` reads: UTF-8 or Windows-1252, comma or semicolon, title rows
    above the header of a sheet skipped.
    """
    if not path.is_file():
        raise PseudonymiseError(f"input file {path} not found")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsm", ".xls"}:
            frame = pl.read_excel(path, infer_schema_length=0)
        else:
            frame = read_raw(path)
    except RawFileError as error:
        raise PseudonymiseError(str(error)) from None
    except Exception as error:  # polars and fastexcel raise many types for a bad file
        raise PseudonymiseError(f"cannot read {path}: {error}") from None
    return frame.with_columns(pl.all().cast(pl.String))


def pseudonymise(
    frame: pl.DataFrame,
    *,
    id_column: str,
    key: bytes,
    keep: Sequence[str] = (),
    drop: Sequence[str] = (),
    birth_date_column: str | None = None,
    source: str = "the input",
) -> tuple[pl.DataFrame, PseudonymiseResult]:
    """Replace ``id_column`` by ``person_key``; keep only the contract's columns and ``keep``.

    Raises :class:`PseudonymiseError` when a kept value looks like a direct identifier.
    """
    if not key:
        raise PseudonymiseError("the regional key is empty")
    existing = [name for name in frame.columns if normalise_column_name(name) == PERSON_KEY]
    if existing:
        raise PseudonymiseError(
            f"{source} already has a column {existing[0]!r}: if it is pseudonymised already, "
            "send it as it is; otherwise rename that column and run again"
        )
    missing = [name for name in [id_column, *keep, *drop] if name not in frame.columns]
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
    contract = {normalise_column_name(name): name for name in contract_columns(StaffSpell)}
    renames = {
        name: contract[normalise_column_name(name)]
        for name in frame.columns
        if normalise_column_name(name) in contract and name != id_column
    }
    kept = [name for name in renames if name not in drop] + [
        name for name in keep if name not in renames and name != id_column
    ]
    result = frame.select(kept).rename({k: v for k, v in renames.items() if k in kept})
    result = result.select(pl.Series(PERSON_KEY, keys), pl.all())
    if birth_from is not None and "birth_year" not in result.columns:
        year = frame[birth_from].cast(pl.String).str.extract(_YEAR, 1).cast(pl.Int32)
        result = result.with_columns(year.alias("birth_year"))
    dropped = tuple(name for name in frame.columns if name not in kept and name != id_column)
    refuse_identifiers(result.drop(PERSON_KEY), source=source)
    return result, PseudonymiseResult(
        rows=result.height, dropped=dropped, birth_year_from=birth_from
    )


def refuse_identifiers(frame: pl.DataFrame, *, source: str = "the input") -> None:
    """Raise when any value looks like a BSN, an e-mail address or a Dutch phone number.

    Names the column and the spreadsheet row (header = row 1) of the first such value per
    column and kind; the value itself is not repeated.
    """
    found: list[str] = []
    for name in frame.columns:
        values = frame[name].cast(pl.String).to_list()
        for kind, looks_like in _IDENTIFIER_TESTS.items():
            row = next(
                (index for index, value in enumerate(values) if value and looks_like(value)),
                None,
            )
            if row is not None:
                found.append(f"column {name!r}, row {row + 2}: {kind}")
    if found:
        raise PseudonymiseError(
            f"nothing written: {source} still holds direct identifiers ({'; '.join(found)}); "
            "remove them from the extract, or leave that column out"
        )


def passes_elfproef(digits: str) -> bool:
    """The BSN check: 9 digits, weights 9..2 and -1, a sum divisible by 11 (and not 0)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(weight * int(digit) for weight, digit in zip(weights, digits, strict=True))
    return total != 0 and total % 11 == 0


_BSN = re.compile(r"(?<![\w.-])(\d{3})[ .]?(\d{3})[ .]?(\d{3})(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+31|0031|0)[\s.-]*(?:\(0\)[\s.-]*)?[1-9](?:[\s.-]*\d){8}(?![\w])"
)


def _looks_like_bsn(value: str) -> bool:
    return any(passes_elfproef("".join(match.groups())) for match in _BSN.finditer(value))


_IDENTIFIER_TESTS = {
    "looks like a BSN (9 digits passing the elfproef)": _looks_like_bsn,
    "looks like an e-mail address": lambda value: _EMAIL.search(value) is not None,
    "looks like a Dutch phone number": lambda value: _PHONE.search(value) is not None,
}


def pseudonymise_file(
    input_path: Path,
    output_path: Path,
    *,
    id_column: str,
    key: bytes | None = None,
    key_file: Path | None = None,
    keep: Sequence[str] = (),
    drop: Sequence[str] = (),
    birth_date_column: str | None = None,
) -> PseudonymiseResult:
    """Read CSV or xlsx, pseudonymise, write CSV atomically (temporary file, then rename).

    The input is read before the key (``key``, else :func:`regional_key` of ``key_file``), so
    a wrong input is named first.
    """
    if input_path.resolve() == output_path.resolve():
        raise PseudonymiseError(f"output {output_path} would overwrite the input")
    frame = read_table(input_path)
    result, summary = pseudonymise(
        frame,
        id_column=id_column,
        key=key if key is not None else regional_key(key_file),
        keep=keep,
        drop=drop,
        birth_date_column=birth_date_column,
        source=str(input_path),
    )
    try:
        with replacing(output_path) as temporary:
            write_csv(result, temporary)
    except OSError as error:
        raise PseudonymiseError(f"cannot write {output_path}: {error.strerror or error}") from None
    return summary
