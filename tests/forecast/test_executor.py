"""Executors: a Dask cluster gives the same result as local processes."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from tests.forecast.conftest import SMALL_RUN_SETTINGS
from workforce.forecast.engine_run import RunOutput, run_engine
from workforce.forecast.executor import ExecutorKind
from workforce.forecast.frames import Frequency


def test_dask_gives_the_same_result_as_local_processes(
    small_run: RunOutput, small_frame: pl.DataFrame
) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, dashboard_address=None) as cluster:
        dask_run = run_engine(
            small_frame,
            Frequency.quarter,
            SMALL_RUN_SETTINGS,
            executor=ExecutorKind.dask,
            scheduler=cluster.scheduler_address,
        )
    assert_frame_equal(dask_run.forecasts, small_run.forecasts)
    assert_frame_equal(dask_run.metrics, small_run.metrics)
    assert dask_run.choices.equals(small_run.choices)


def test_one_process_gives_the_same_result(small_run: RunOutput, small_frame: pl.DataFrame) -> None:
    sequential = run_engine(small_frame, Frequency.quarter, SMALL_RUN_SETTINGS, workers=1)
    assert_frame_equal(sequential.forecasts, small_run.forecasts)
