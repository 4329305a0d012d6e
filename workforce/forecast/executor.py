"""Run the per-series work in local processes or on a Dask cluster, reporting progress.

Both executors call the same function on the same inputs, so they give the same results.
Workers silence cmdstanpy themselves (inside :func:`process_series`), since a logging setting
made in the parent process does not reach them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from workforce.forecast.prophet import silence_cmdstanpy

Item = TypeVar("Item")
Result = TypeVar("Result")


class ExecutorKind(StrEnum):
    local = "local"
    dask = "dask"


ProgressCallback = Callable[[str, int, int], None]
"""Called as ``(description, done, total)``: once with ``done == 0``, then after every item."""


def _no_progress(description: str, done: int, total: int) -> None:
    return None


def run_parallel(
    work: Callable[[Item, Any], Result],
    items: Sequence[Item],
    settings: Any,
    *,
    executor: ExecutorKind = ExecutorKind.local,
    workers: int | None = None,
    scheduler: str | None = None,
    description: str = "Forecasting",
    progress: ProgressCallback | None = None,
) -> list[Result]:
    """``work(item, settings)`` for every item, results in the order of ``items``."""
    report = progress or _no_progress
    if executor is ExecutorKind.dask:
        return _run_dask(work, items, settings, scheduler, description, report)
    workers = workers or os.cpu_count() or 1
    results: list[Any] = [None] * len(items)
    report(description, 0, len(items))
    if workers == 1 or len(items) <= 1:
        silence_cmdstanpy()
        for index, item in enumerate(items):
            results[index] = work(item, settings)
            report(description, index + 1, len(items))
        return results
    # loky worker processes: started cleanly (no fork of polars' threads), reused
    # between calls, and they need no ``__main__`` guard in the calling script.
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")
    finished = parallel(delayed(_indexed)(work, i, item, settings) for i, item in enumerate(items))
    for done, (index, result) in enumerate(finished, start=1):
        results[index] = result
        report(description, done, len(items))
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
    report: ProgressCallback,
) -> list[Result]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    if not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    results: list[Any] = [None] * len(items)
    description = f"{description} on {scheduler}"
    with Client(scheduler) as client:
        client.run(silence_cmdstanpy)
        report(description, 0, len(items))
        scattered = client.scatter(settings, broadcast=True)
        futures = client.map(work, list(items), settings=scattered, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        for done, future in enumerate(dask_completed(futures), start=1):
            results[index[future.key]] = future.result()
            report(description, done, len(items))
    return results
