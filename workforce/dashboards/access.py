"""Per-employer dashboard credentials: issued and revoked by command, stored hashed.

The shared dashboard token shows the public view. An employer's own detail needs that
employer's access token, made by ``workforce dashboard token issue EMPLOYER``. Only a SHA-256
hash of each token is stored (tokens are 32 random bytes, so a plain hash cannot be guessed
back), in ``<data>/access/dashboard_tokens.json``, readable by its owner only. A revoked token
stops working at the next page load.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ACCESS_DIR = "access"
TOKENS_FILE = "dashboard_tokens.json"
TOKEN_PREFIX = "wfe_"
"""Employer tokens start with this, so they are told apart from the shared token at a glance."""


class AccessError(ValueError):
    """A token command could not do what was asked (the message says why)."""


@dataclass(frozen=True)
class TokenRecord:
    """One issued token as stored: never the token itself, only its hash."""

    token_id: str
    employer_id: str
    token_hash: str
    issued_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: shown once to whoever issued it, then only its hash exists."""

    token: str
    record: TokenRecord


def tokens_path(data_dir: Path) -> Path:
    """Where the hashed tokens of ``data_dir`` live."""
    return data_dir / ACCESS_DIR / TOKENS_FILE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_tokens(data_dir: Path) -> list[TokenRecord]:
    """Every token ever issued for ``data_dir`` (empty when none)."""
    path = tokens_path(data_dir)
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [TokenRecord(**row) for row in rows]
    except (ValueError, TypeError) as error:
        raise AccessError(f"{path}: not a token file written by workforce ({error})") from None


def _write_tokens(data_dir: Path, records: list[TokenRecord]) -> None:
    """Write the token file atomically, readable and writable by its owner only."""
    path = tokens_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump([asdict(record) for record in records], handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


@contextmanager
def _writing(data_dir: Path) -> Iterator[None]:
    """One token command at a time changes the file (two at once would lose a token)."""
    folder = data_dir / ACCESS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f".{TOKENS_FILE}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def issue_token(data_dir: Path, employer_id: str) -> IssuedToken:
    """A new access token for ``employer_id``; its hash is stored, the token returned once."""
    employer_id = employer_id.strip()
    if not employer_id:
        raise AccessError("an employer id is needed, e.g. GGZ-04")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id=secrets.token_hex(4),
        employer_id=employer_id,
        token_hash=hash_token(token),
        issued_at=_now(),
    )
    with _writing(data_dir):
        _write_tokens(data_dir, [*read_tokens(data_dir), record])
    return IssuedToken(token=token, record=record)


def revoke_tokens(data_dir: Path, employer_or_token_id: str) -> list[TokenRecord]:
    """Revoke every active token of an employer, or the one token with that id."""
    key = employer_or_token_id.strip()
    now = _now()
    revoked: list[TokenRecord] = []
    kept: list[TokenRecord] = []
    with _writing(data_dir):
        for record in read_tokens(data_dir):
            if record.active and key in (record.employer_id, record.token_id):
                record = TokenRecord(**{**asdict(record), "revoked_at": now})
                revoked.append(record)
            kept.append(record)
        if not revoked:
            raise AccessError(f"no active token of employer or with id {key!r}")
        _write_tokens(data_dir, kept)
    return revoked


def find_token(data_dir: Path, token: str) -> TokenRecord | None:
    """The active record a presented token belongs to, or ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    wanted = hash_token(token)
    try:
        records = read_tokens(data_dir)
    except AccessError:
        return None
    for record in records:
        if record.active and hmac.compare_digest(record.token_hash, wanted):
            return record
    return None


def active_record(data_dir: Path, token_id: str) -> TokenRecord | None:
    """The active record with ``token_id`` (``None`` once revoked)."""
    try:
        records = read_tokens(data_dir)
    except AccessError:
        return None
    return next((r for r in records if r.active and r.token_id == token_id), None)
