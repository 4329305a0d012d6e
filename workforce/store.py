"""The data folder: where every stage reads and writes, atomic writes, and one writer at a time.

Layout of a data folder (``--data-dir``, default ``$WORKFORCE_DATA`` or ``data``)::

    raw/          raw extracts as delivered (input; never written by a command)
    staging/      clean rows per loaded file and the load manifest (``workforce ingest``)
    quarantine/   rejected rows with their rule, one CSV per file
    builds/       one folder per build; ``marts`` is a link to the newest (``workforce build``)
    forecasts/    forecast marts; ``forecasts/outlook`` links to the newest prepared outlook
    regional/     regional-employer outputs (``workforce regional``)
    scenarios/    one folder of marts per scenario (``workforce scenario run``)
    alignment/    intake advice (``workforce align``)
    reports/      Markdown reports
    models/       registry runs, when written beside the data

Every file is written to a temporary sibling (``.<name>.<pid>.tmp``) and renamed into place with
:func:`os.replace`; a whole folder is written as a new version (``<version>.partial``, renamed
when complete) and published by replacing a symbolic link in one rename. A reader therefore sees
the old state or the new, never half. Writing commands hold :meth:`Store.lock`; the next writer
removes what a killed one left behind (:meth:`Store.clean_leftovers`).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from filelock import FileLock, Timeout

from workforce.csv_safety import write_csv

if TYPE_CHECKING:
    import polars as pl

DATA_ENV = "WORKFORCE_DATA"
LOCK_TIMEOUT_ENV = "WORKFORCE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 1800.0
"""Seconds a writing command waits for another writer before it gives up."""
LOCK_NAME = ".workforce.lock"
WRITER_READ_ATTEMPTS = 10
WRITER_NAME = ".workforce-writer.json"
LEFTOVER_SUFFIXES = (".partial", ".tmp", ".link")
"""Names a killed writer may leave behind; removed by the next writer."""


class StoreError(ValueError):
    """A data-folder problem a user can act on; the message is one line.

    A ``ValueError``, so that readers which turn bad files into a message or an empty state
    (the dashboards, ``scenario``) treat a stale or hand-edited file the same way.
    """


class StoreBusyError(StoreError):
    """Another command held the data folder's lock for longer than the timeout."""


def data_dir_from_env() -> Path:
    """``$WORKFORCE_DATA``, else ``data``."""
    return Path(os.environ.get(DATA_ENV, "data"))


@dataclass(frozen=True)
class Store:
    """Every path of one data folder, its reads with their contracts, and its lock."""

    root: Path

    # -- paths ----------------------------------------------------------------------------------

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def marts(self) -> Path:
        return self.root / "marts"

    @property
    def forecasts(self) -> Path:
        return self.root / "forecasts"

    @property
    def outlook(self) -> Path:
        return self.forecasts / "outlook"

    @property
    def regional(self) -> Path:
        return self.root / "regional"

    @property
    def scenarios(self) -> Path:
        return self.root / "scenarios"

    @property
    def alignment(self) -> Path:
        return self.root / "alignment"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def models(self) -> Path:
        return self.root / "models"

    def mart_path(self, name: str) -> Path:
        """``marts/<name>.parquet``."""
        return self.marts / f"{name}.parquet"

    def forecast_path(self, name: str) -> Path:
        """``forecasts/<name>.parquet``."""
        return self.forecasts / f"{name}.parquet"

    def regional_path(self, name: str) -> Path:
        """``regional/<name>.parquet``."""
        return self.regional / f"{name}.parquet"

    # -- reads ----------------------------------------------------------------------------------

    def read_mart(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """A built mart, its columns checked against the mart's contract."""
        return read_checked(self.mart_path(name), f"mart {name}", columns=columns)

    def scan_mart(self, name: str) -> pl.LazyFrame:
        """A built mart as a lazy scan, its column names and types checked."""
        return scan_checked(self.mart_path(name), f"mart {name}")

    def read_forecast(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """A forecast mart (``forecasts/<name>.parquet``), checked against its contract."""
        return read_checked(self.forecast_path(name), f"forecast {name}", columns=columns)

    def read_regional(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """A regional output (``regional/<name>.parquet``), checked against its contract."""
        return read_checked(self.regional_path(name), f"regional {name}", columns=columns)

    # -- writing ----------------------------------------------------------------------------------

    @contextmanager
    def lock(
        self,
        command: str,
        *,
        timeout: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> Iterator[Store]:
        """Hold the data folder's writer lock while the block runs (re-entrant in one process).

        When another process holds it, ``on_wait`` gets a one-line message and the call waits
        up to ``timeout`` seconds (default ``$WORKFORCE_LOCK_TIMEOUT`` or 1800), then raises
        :class:`StoreBusyError`. The lock is the kernel's: a killed holder releases it.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / LOCK_NAME, is_singleton=True)
        nested = lock.is_locked
        if not nested:
            timeout = _lock_timeout() if timeout is None else timeout
            try:
                lock.acquire(timeout=0)
            except Timeout:
                holder = self._writer()
                if on_wait is not None:
                    on_wait(
                        f"Waiting for {self.root}: {holder} is writing to it "
                        f"(up to {timeout:.0f} s)."
                    )
                try:
                    lock.acquire(timeout=timeout)
                except Timeout:
                    raise StoreBusyError(
                        f"{self.root} is still in use by {self._writer()} after {timeout:.0f} s; "
                        f"try again when it has finished (wait longer with {LOCK_TIMEOUT_ENV})"
                    ) from None
        else:
            lock.acquire()
        try:
            if not nested:
                since = dt.datetime.now().isoformat(timespec="seconds")
                writer = {"command": command, "pid": os.getpid(), "since": since}
                write_text(json.dumps(writer), self.root / WRITER_NAME)
            yield self
        finally:
            if not nested:
                (self.root / WRITER_NAME).unlink(missing_ok=True)
            lock.release()

    def _writer(self) -> str:
        """Who holds the lock, as far as the writer file says.

        A holder writes the file just after it takes the lock, so a missing file is read again
        for up to a second before the holder is called "another workforce command".
        """
        for attempt in range(WRITER_READ_ATTEMPTS):
            try:
                writer = json.loads((self.root / WRITER_NAME).read_text(encoding="utf-8"))
                return (
                    f"`workforce {writer['command']}` (process {writer['pid']}, "
                    f"since {writer['since']})"
                )
            except (OSError, ValueError, KeyError):
                if attempt + 1 < WRITER_READ_ATTEMPTS:
                    time.sleep(0.1)
        return "another workforce command"

    def clean_leftovers(self) -> list[Path]:
        """Remove what killed writers left (``*.partial``, ``.*.tmp``); call with the lock held.

        The raw folder is the user's and is not touched. Returns the removed paths.
        """
        removed: list[Path] = []
        if not self.root.is_dir():
            return removed
        for folder, names, files in os.walk(self.root):
            here = Path(folder)
            if here == self.raw:
                names.clear()
                continue
            for name in [*names, *files]:
                if name.endswith(LEFTOVER_SUFFIXES) and (
                    name.startswith(".") or name.endswith(".partial")
                ):
                    path = here / name
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed.append(path)
            names[:] = [name for name in names if not (here / name).is_symlink()]
            names[:] = [name for name in names if (here / name).exists()]
        return sorted(removed)


Function = TypeVar("Function", bound=Callable[..., Any])


def holds_lock(command: str) -> Callable[[Function], Function]:
    """Decorate a function with a ``data_dir`` parameter: it runs holding that folder's lock.

    So a notebook or script that calls :func:`~workforce.marts.build.build_marts` directly is as
    safe beside a running command as the command line is. Inside a command, which holds the lock
    already, the lock is simply taken again. A wait is logged on the ``workforce`` logger.
    """

    def decorate(function: Function) -> Function:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            data_dir = Path(signature.bind(*args, **kwargs).arguments["data_dir"])
            with Store(data_dir).lock(command, on_wait=logging.getLogger("workforce").warning):
                return function(*args, **kwargs)

        return cast(Function, wrapper)

    return decorate


def _lock_timeout() -> float:
    value = os.environ.get(LOCK_TIMEOUT_ENV)
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        return float(value)
    except ValueError:
        raise StoreError(f"{LOCK_TIMEOUT_ENV}={value!r}: expected a number of seconds") from None


# -- atomic writes ----------------------------------------------------------------------------


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def normalised(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with negative zero written as zero, so equal inputs give equal bytes."""
    import polars as pl

    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    if not floats:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name) == 0)
        .then(pl.lit(0.0, dtype=frame.schema[name]))
        .otherwise(pl.col(name))
        .alias(name)
        for name in floats
    )


def write_frame(frame: pl.DataFrame, path: Path, *, what: str | None = None) -> Path:
    """Write ``frame`` as Parquet (or CSV for ``.csv``) atomically, the same bytes for equal frames.

    ``what`` names the frame's contract (``"mart demand"``, see :mod:`workforce.contracts`):
    the frame is checked, values included, before anything is written.
    """
    from workforce.contracts import check_frame

    # One chunk: Parquet row groups then follow the row count, not how the frame was computed.
    frame = normalised(frame).rechunk()
    if what is not None:
        check_frame(frame, what, source=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path)
    try:
        if path.suffix == ".csv":
            write_csv(frame, temporary)
        else:
            frame.write_parquet(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write any way; it replaces ``path`` when the block ends.

    For writers that need a path of their own (Excel workbooks, a library's CSV); when the block
    fails, ``path`` keeps its previous content and the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path).with_suffix(f"{path.suffix}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text atomically (temporary sibling, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_json(value: Any, path: Path) -> Path:
    """Write ``value`` as indented JSON atomically."""
    return write_text(json.dumps(value, indent=2, default=str) + "\n", path)


def point_link(link: Path, folder: Path) -> None:
    """Make ``link`` a symbolic link to ``folder`` in one rename.

    A real folder at ``link`` (a data folder written before links were used) is moved aside
    into ``<folder's parent>/<name>-previous`` first.
    """
    if link.exists() and not link.is_symlink():
        aside = folder.with_name(f"{link.name}-previous")
        shutil.rmtree(aside, ignore_errors=True)
        link.rename(aside)
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(folder, link.parent))
    os.replace(temporary, link)


@contextmanager
def new_version(link: Path, versions: Path, version: str, *, keep: int = 2) -> Iterator[Path]:
    """A folder to fill; when the block succeeds it becomes ``versions/<version>`` and ``link``.

    The folder is written as ``versions/<version>.partial`` and renamed when complete; ``link``
    is then replaced in one rename, and all but the ``keep`` newest versions (by name) removed.
    A failed block removes its partial folder; a killed one leaves it to
    :meth:`Store.clean_leftovers`.
    """
    partial = versions / f"{version}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    final = versions / version
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    point_link(link, final)
    finished = sorted(
        path for path in versions.iterdir() if path.is_dir() and not path.name.endswith(".partial")
    )
    for old in finished[:-keep]:
        if old != final and not old.name.endswith("-previous"):
            shutil.rmtree(old, ignore_errors=True)


def version_stamp(now: dt.datetime | None = None) -> str:
    """A folder name that sorts by time: ``20250131T120000123456``."""
    return (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S%f")


# -- results kept under the key of their inputs -----------------------------------------------

KEY_FILE = "key.json"
"""The description beside kept frames: ``{"key": ..., ...}``."""


def keep_keyed(link: Path, frames: Mapping[str, pl.DataFrame], described: dict[str, Any]) -> Path:
    """Keep ``frames`` (one Parquet file each) with ``described`` (which holds their ``key``:
    everything they were computed from) as a new version at ``link``; the link."""
    versions = link.with_name(f".{link.name}.versions")
    with new_version(link, versions, version_stamp()) as into:
        for name, frame in frames.items():
            write_frame(frame, into / f"{name}.parquet")
        write_json(described, into / KEY_FILE)
    return link


def read_keyed(
    folder: Path, key: dict[str, Any], names: Sequence[str]
) -> tuple[dict[str, Any], dict[str, pl.DataFrame]] | None:
    """The description and frames kept at ``folder`` when they were kept under ``key``; None
    when nothing is kept, it was computed from other inputs (stale) or it cannot be read."""
    import polars as pl

    try:
        described = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
        if described.get("key") != json.loads(json.dumps(key, default=str)):
            return None
        return described, {name: pl.read_parquet(folder / f"{name}.parquet") for name in names}
    except (OSError, ValueError, AttributeError, pl.exceptions.PolarsError):
        return None


# -- checked reads ----------------------------------------------------------------------------


def read_checked(path: Path, what: str, *, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a Parquet file the pipeline wrote; its names and types must match ``what``'s contract.

    Raises :class:`StoreError` naming the file when it is missing or unreadable, and
    :class:`workforce.contracts.ContractError` naming the file and column when it does not
    match.
    """
    import polars as pl

    scan = scan_checked(path, what)
    if columns is not None:
        scan = scan.select(columns)
    try:
        return scan.collect()
    except (OSError, pl.exceptions.PolarsError) as error:
        raise StoreError(f"{path}: cannot read ({_first_line(error)})") from None


def scan_checked(path: Path, what: str) -> pl.LazyFrame:
    """A lazy scan of ``path`` after its schema was checked against ``what``'s contract."""
    import polars as pl

    from workforce.contracts import check_schema

    if not path.is_file():
        raise StoreError(f"{path}: not found; run the command that writes the {what} first")
    try:
        schema = pl.read_parquet_schema(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise StoreError(f"{path}: not a readable Parquet file ({_first_line(error)})") from None
    check_schema(dict(schema), what, source=path)
    return pl.scan_parquet(path)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
