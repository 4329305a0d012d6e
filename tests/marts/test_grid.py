"""The month grid: events summed per cell and month, stocks restarting in every cell."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl

from workforce.marts.grid import CellKey, MonthGrid, blocks, month_dates, month_number


def test_month_numbers_round_trip_and_null_is_minus_one() -> None:
    dates = pl.Series([dt.date(2019, 1, 31), dt.date(2020, 12, 1), None])
    numbers = month_number(dates)
    assert numbers.tolist() == [2019 * 12, 2020 * 12 + 11, -1]
    assert month_dates(numbers[:2]).to_list() == [dt.date(2019, 1, 1), dt.date(2020, 12, 1)]


def test_packed_keys_sort_as_their_columns_and_unpack() -> None:
    packing = CellKey((3, 300, 2))
    columns = [np.array([2, 0, 0, 1]), np.array([5, 299, 7, 0]), np.array([1, 0, 1, 1])]
    keys = packing.pack(columns)
    assert [column.tolist() for column in packing.unpack(keys)] == [c.tolist() for c in columns]
    rows = list(zip(*(column.tolist() for column in columns), strict=True))
    assert np.argsort(keys).tolist() == sorted(range(4), key=lambda index: rows[index])


def test_stocks_are_running_sums_that_restart_in_every_cell() -> None:
    # two cells: key 7 covers months 10..12, key 3 months 11..12
    keys = np.array([7, 3, 7, 3], dtype=np.uint64)
    first = np.array([10, 11, 10, 11])
    last = np.array([12, 12, 12, 12])
    grid, cell = MonthGrid.of(keys, first, last)
    assert grid.keys.tolist() == [3, 7]
    assert grid.size == 5
    assert grid.month_of_row().tolist() == [11, 12, 10, 11, 12]
    assert grid.cell_of_row().tolist() == [0, 0, 1, 1, 1]
    starts = grid.rows(cell, np.array([10, 11, 11, 12]))
    assert grid.count(starts).tolist() == [1, 1, 1, 1, 0]
    stock = grid.running(grid.count(starts))
    assert stock.tolist() == [1, 2, 1, 2, 2]
    hours = grid.running(grid.total(starts, np.array([36.0, 18.0, 12.0, 6.0])))
    assert hours.tolist() == [18.0, 24.0, 36.0, 48.0, 48.0]
    bands = grid.running(np.stack([grid.count(starts), -grid.count(starts)], axis=1))
    assert bands[:, 1].tolist() == [-1, -2, -1, -2, -2]


def test_blocks_cover_every_row_once_and_never_split_a_code() -> None:
    codes = np.array([0, 0, 0, 1, 2, 2, 5, 5, 5, 5, 6])
    parts = list(blocks(codes, 2))
    assert np.concatenate([codes[part] for part in parts]).tolist() == codes.tolist()
    for before, after in itertools.pairwise(parts):
        assert codes[before.stop - 1] != codes[after.start]
    assert list(blocks(codes[:0], 2)) == []


def test_median_per_grid_row_as_polars_computes_it() -> None:
    grid, _ = MonthGrid.of(np.array([1, 2], dtype=np.uint64), np.array([0, 0]), np.array([3, 3]))
    rows = np.array([0, 0, 0, 5, 5, 2, 7])
    values = np.array([9, 1, 4, 3, 8, 7, 2])
    expected = (
        pl.DataFrame({"row": rows, "value": values})
        .group_by("row")
        .agg(pl.col("value").median())
        .sort("row")
    )
    medians = grid.median(rows, values)
    assert medians[expected["row"].to_numpy()].tolist() == expected["value"].to_list()
    assert np.isnan(np.delete(medians, expected["row"].to_numpy())).all()
