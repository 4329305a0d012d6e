"""What every command shares: the console, the error helper and the data folder's writer lock.

Messages are never hard-wrapped: when output goes to a file or a pipe, rich would otherwise wrap
at 80 columns and split an error (and the words a user greps for) over two lines. Long lines are
left for the terminal to fold.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from workforce.store import Store, StoreError, data_dir_from_env

if TYPE_CHECKING:
    from workforce.outlook.outlook import Outlook

Command = TypeVar("Command", bound=Callable[..., Any])

console = Console(soft_wrap=True)
"""The console of every command: soft wrap, so no message is broken over lines."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one red line and return the exit to raise (``raise fail(...)``)."""
    console.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    """Print ``message`` as one yellow line."""
    console.print(f"[yellow]{escape(message)}[/yellow]", soft_wrap=True)


@contextmanager
def writing(data_dir: Path, command: str) -> Iterator[Store]:
    """Hold ``data_dir``'s writer lock for ``command`` and clean what killed writers left.

    A second writer waits with a message; past the timeout, or on any other data-folder problem
    (a file breaking its contract, say), the command ends with one line and exit code 2.
    """
    store = Store(data_dir)
    try:
        with store.lock(command, on_wait=warn):
            removed = store.clean_leftovers()
            if removed:
                console.print(
                    f"Removed {len(removed)} unfinished file(s) of an interrupted run "
                    f"in {data_dir}.",
                    soft_wrap=True,
                )
            yield store
    except StoreError as error:
        raise fail(str(error)) from None


def writes_data(command: str) -> Callable[[Command], Command]:
    """Decorate a command that writes to ``--data-dir``: it runs under :func:`writing`."""

    def decorate(function: Command) -> Command:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            data_dir = kwargs.get("data_dir") or data_dir_from_env()
            with writing(Path(data_dir), command):
                return function(*args, **kwargs)

        return cast(Command, wrapper)

    return decorate


class ProgressLines:
    """Progress as plain lines, for output that is not a terminal (a log, a pipe).

    A line when a piece of work starts, when it ends, and in between at most every
    ``every_seconds`` (and only after a tenth more is done), each with the seconds elapsed since
    the command started, so that a log shows a long run moving and where its time went.
    """

    def __init__(self, write: Callable[[str], None], *, every_seconds: float = 30.0) -> None:
        self._write = write
        self._every = every_seconds
        self._started = time.perf_counter()
        self._last: dict[str, tuple[float, int]] = {}

    def __call__(self, description: str, done: int, total: int) -> None:
        now = time.perf_counter()
        last = self._last.get(description)
        finished = total > 0 and done >= total
        due = last is not None and (
            now - last[0] >= self._every and (done - last[1]) * 10 >= max(total, 1)
        )
        if last is None or finished or due:
            self._last[description] = (now, done)
            self._write(f"{description}: {done} of {total} ({now - self._started:.0f} s)")


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback ``(description, done, total)``: one bar per description on a
    terminal, gone when the work is done; plain lines (:class:`ProgressLines`) otherwise."""
    if not console.is_terminal:
        yield ProgressLines(lambda line: console.print(line, markup=False, highlight=False))
        return
    bars = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def report(description: str, done: int, total: int) -> None:
        if description not in tasks:
            tasks[description] = bars.add_task(description, total=total)
        bars.update(tasks[description], completed=done, total=total)

    with bars:
        yield report


def load_outlook(data_dir: Path) -> Outlook:
    """The outlook ``workforce forecast`` saved, or a one-line error saying what to run."""
    from workforce.outlook.outlook import Outlook

    folder = Store(data_dir).outlook
    try:
        return Outlook.load(folder)
    except FileNotFoundError:
        raise fail(f"{folder}: no outlook; run `workforce forecast` first") from None
    except StoreError as error:
        raise fail(str(error)) from None
