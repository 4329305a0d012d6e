"""Sums of events on a dense month grid: how the monthly marts turn events into stocks.

A cell (for example employer x sector x municipality x profession) has one row per month from
its employer's first to its last covered month; the grid lays the cells' rows end to end, cells
in the order of their keys, months in calendar order. An event adds a value at (cell, month),
so a flow is a ``bincount`` over grid rows and a stock is the running sum of its events within
the cell: linear in the number of events, with no join, group-by or sort over text.

Months are counted as ``year * 12 + month - 1`` (:func:`month_number`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]
Floats = npt.NDArray[np.float64]


def month_number(dates: pl.Series) -> Ints:
    """``year * 12 + month - 1`` of each date; a null date becomes ``-1``."""
    numbers = dates.dt.year().cast(pl.Int64) * 12 + dates.dt.month().cast(pl.Int64) - 1
    return numbers.fill_null(-1).to_numpy()


def month_dates(numbers: Ints) -> pl.Series:
    """The first day of each month number (the inverse of :func:`month_number`)."""
    if len(numbers) == 0:
        return pl.Series("month", [], dtype=pl.Date)
    low = int(numbers.min())
    span = pl.DataFrame({"n": np.arange(low, int(numbers.max()) + 1, dtype=np.int64)})
    table = span.select(month=pl.date(pl.col("n") // 12, pl.col("n") % 12 + 1, 1))["month"]
    return table.gather(pl.Series(numbers - low))


@dataclass(frozen=True)
class CellKey:
    """Several code columns packed into one ``uint64`` that sorts as the columns do."""

    sizes: tuple[int, ...]

    @property
    def bits(self) -> tuple[int, ...]:
        """Bits per column, enough for its largest code."""
        return tuple(max(int(size - 1).bit_length(), 1) for size in self.sizes)

    def pack(self, codes: Sequence[npt.NDArray[np.integer]]) -> Keys:
        """One key per row from the code columns (first column most significant)."""
        if sum(self.bits) > 64:
            raise ValueError(f"cell codes need {sum(self.bits)} bits, more than 64: {self.sizes}")
        key = np.zeros(len(codes[0]), dtype=np.uint64)
        for column, bits in zip(codes, self.bits, strict=True):
            key = (key << np.uint64(bits)) | column.astype(np.uint64)
        return key

    def unpack(self, keys: Keys) -> list[Ints]:
        """The code columns of ``keys``."""
        columns = []
        shift = 0
        for bits in reversed(self.bits):
            mask = np.uint64((1 << bits) - 1)
            columns.append(((keys >> np.uint64(shift)) & mask).astype(np.int64))
            shift += bits
        return columns[::-1]


@dataclass(frozen=True)
class MonthGrid:
    """Every cell's months, end to end: cell ``i`` owns rows ``offset[i]:offset[i + 1]``."""

    keys: Keys
    first: Ints
    offset: Ints

    @classmethod
    def of(cls, keys: Keys, first: Ints, last: Ints) -> tuple[MonthGrid, Ints]:
        """The grid of the cells of ``keys`` (one per item) and each item's cell.

        ``first`` and ``last`` are the item's covered months; items of one cell share them.
        """
        cells, first_item, cell_of = np.unique(keys, return_index=True, return_inverse=True)
        cell_first = first[first_item]
        length = last[first_item] - cell_first + 1
        offset = np.zeros(len(cells) + 1, dtype=np.int64)
        np.cumsum(length, out=offset[1:])
        return cls(cells, cell_first, offset), cell_of.astype(np.int64).reshape(-1)

    @property
    def size(self) -> int:
        """Rows of the grid."""
        return int(self.offset[-1])

    @property
    def lengths(self) -> Ints:
        """Months per cell."""
        return np.diff(self.offset)

    def rows(self, cell: Ints, month: Ints) -> Ints:
        """Grid row of each (cell, month) pair."""
        return self.offset[cell] + month - self.first[cell]

    def count(self, rows: Ints) -> Ints:
        """Per grid row: how many of ``rows`` fall on it."""
        return np.bincount(rows, minlength=self.size).astype(np.int64)

    def total(self, rows: Ints, weights: Floats) -> Floats:
        """Per grid row: the sum of the ``weights`` of the ``rows`` that fall on it."""
        return np.bincount(rows, weights=weights, minlength=self.size).astype(
            np.float64, copy=False
        )

    def median(self, rows: Ints, values: Ints) -> Floats:
        """Per grid row: the median of the ``values`` that fall on it (NaN where none do)."""
        order = np.lexsort((values, rows))
        rows, values = rows[order], values[order]
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        counts = np.diff(starts, append=len(rows))
        middle = (values[starts + (counts - 1) // 2] + values[starts + counts // 2]) / 2
        medians = np.full(self.size, np.nan)
        medians[rows[starts]] = middle
        return medians

    def running(self, values: npt.NDArray[np.int64 | np.float64]) -> npt.NDArray[Any]:
        """Running sum of ``values`` (one row per grid row) within each cell."""
        total = np.cumsum(values, axis=0)
        starts = self.offset[:-1]
        before = total[starts] - values[starts]
        return total - np.repeat(before, self.lengths, axis=0)

    def cell_of_row(self) -> Ints:
        """The cell of every grid row."""
        return np.repeat(np.arange(len(self.keys), dtype=np.int64), self.lengths)

    def month_of_row(self) -> Ints:
        """The month number of every grid row."""
        cells = self.cell_of_row()
        return self.first[cells] + np.arange(self.size, dtype=np.int64) - self.offset[cells]


def blocks(sorted_codes: npt.NDArray[np.integer], rows_per_block: int) -> Iterator[slice]:
    """Slices of about ``rows_per_block`` rows that never split a run of equal codes."""
    total = len(sorted_codes)
    start = 0
    while start < total:
        end = min(start + rows_per_block, total)
        if end < total:
            end = int(np.searchsorted(sorted_codes, sorted_codes[end - 1], side="right"))
        yield slice(start, end)
        start = end
