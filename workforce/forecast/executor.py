"""Run the per-series work in local processes or on a Dask cluster, with a progress bar.

Both executors call the same function on the same inputs, so they give the same results.
Workers silence cmdstanpy themselves (inside :func:`process_series`), since a logging setting
made in the parent process does not reach them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workforce.forecast.prophet import silence_cmdstanpy

Item = TypeVar("Item")
Result = TypeVar("Result")


class ExecutorKind(StrEnum):
    local = "local"
    dask = "dask"


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None,
    )


def run_parallel(
    work: Callable[[Item, Any], Result],
    items: Sequence[Item],
    settings: Any,
    *,
    executor: ExecutorKind = ExecutorKind.local,
    workers: int | None = None,
    scheduler: str | None = None,
    description: str = "Forecasting",
    console: Console | None = None,
) -> list[Result]:
    """``work(item, settings)`` for every item, results in the order of ``items``."""
    if executor is ExecutorKind.dask:
        return _run_dask(work, items, settings, scheduler, description, console)
    workers = workers or os.cpu_count() or 1
    results: list[Any] = [None] * len(items)
    with _progress(console) as progress:
        task = progress.add_task(description, total=len(items))
        if workers == 1 or len(items) <= 1:
            silence_cmdstanpy()
            for index, item in enumerate(items):
                results[index] = work(item, settings)
                progress.advance(task)
            return results
        # loky worker processes: started cleanly (no fork of polars' threads), reused
        # between calls, and they need no ``__main__`` guard in the calling script.
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")
        for index, result in parallel(
            delayed(_indexed)(work, i, item, settings) for i, item in enumerate(items)
        ):
            results[index] = result
            progress.advance(task)
    return results


def _indexed(
    work: Callable[[Item, Any], Result], index: int, item: Item, settings: Any
) -> tuple[int, Result]:
    return index, work(item, settings)


def _run_dask(
    work: Callable[[Item, Any], Result],
    items: Sequence[Item],
    settings: Any,
    scheduler: str | None,
    description: str,
    console: Console | None,
) -> list[Result]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    if not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    results: list[Any] = [None] * len(items)
    with Client(scheduler) as client, _progress(console) as progress:
        client.run(silence_cmdstanpy)
        task = progress.add_task(f"{description} on {scheduler}", total=len(items))
        scattered = client.scatter(settings, broadcast=True)
        futures = client.map(work, list(items), settings=scattered, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        for future in dask_completed(futures):
            results[index[future.key]] = future.result()
            progress.advance(task)
    return results
