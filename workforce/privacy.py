"""Disclosure control for every view that compares or lists employers.

One function, :func:`disclose`, decides what may be published of a table of cells:

1. **Primary suppression**: a cell (or total) with fewer than ``k`` people is hidden.
2. **Secondary suppression**: totals are published too (one total per group of cells that
   differ only in one margin dimension), so a group with exactly one hidden cell would give it
   away by subtraction. In such a group the smallest other cell is hidden as well (a total
   only when no detail cell is left), until every group has no or at least two hidden cells.
3. **Exact check**: two hidden cells per group are not always enough (two separate cycles of
   hidden cells joined by one hidden cell still determine that cell). The constraint system
   ``sum(cells) - total = 0`` over the hidden cells is solved by SVD: a hidden cell is
   determined when its unit vector lies in the row space. Such a cell gets one more
   complementary suppression in one of its groups, and the loop repeats.
4. **Insiders**: an employer reading the public table knows its own cells. Steps 2 and 3 are
   repeated with each employer's own cells counted as known, so that no employer can subtract
   its own figures to find another employer's small cell.

Hidden cells are null in every value column (the count too) and flagged ``suppressed``.

A :class:`Viewer` with an ``employer_id`` sees that employer's own cells in full; they are
never hidden, count as known when checking what the viewer can derive, and never serve as
complementary cells. Other employers' small cells stay hidden from that viewer.

Functions that compare employers register with :func:`employer_view`, so that
:data:`EMPLOYER_VIEWS` lists them all and each is checked to call :func:`disclose`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

DEFAULT_K = 10
"""Disclosure threshold: cells with fewer people are not published."""

TOTAL = "total"
"""Dimension value of a total (margin) row."""

SUPPRESSED = "suppressed"
"""Flag column: true where the cell's values are hidden."""

_ROW = "__row"


@dataclass(frozen=True)
class Viewer:
    """Who looks: ``employer_id`` sees its own cells in full; ``None`` is the public view."""

    employer_id: str | None = None


PUBLIC = Viewer()


def disclose(
    table: pl.DataFrame,
    *,
    dims: Sequence[str],
    count: str,
    values: Sequence[str] | None = None,
    sums: Sequence[str] = (),
    margins: Sequence[str] | None = None,
    by: Sequence[str] = (),
    k: int = DEFAULT_K,
    viewer: Viewer = PUBLIC,
    employer_column: str | Sequence[str] = "employer_id",
    insiders_protected: bool = True,
    sensitive: str | None = None,
) -> pl.DataFrame:
    """Hide cells with fewer than ``k`` people and the cells that would reveal them.

    ``dims`` identify a cell; ``count`` holds its number of people. ``margins`` are the dims
    whose totals are published (default: all); rows whose margin dim equals :data:`TOTAL`
    are totals, and missing total rows are added with ``count`` and the ``sums`` columns
    summed (other value columns null). ``by`` splits independent tables (e.g. a period).
    ``values`` are the columns hidden with a cell (default: all columns but dims and ``by``).
    ``employer_column`` names the column (or columns, e.g. source and target of a flow) that
    make a cell an employer's own. In the public view every employer is an insider that knows
    its own cells; with ``insiders_protected`` (default) no employer can derive another
    employer's hidden cell from its own cells and the published ones either.
    ``sensitive`` names a boolean column of cells to hide whatever their count, e.g. from
    :func:`two_contributor_cells`.
    Returns the table with its totals and a boolean ``suppressed`` column.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    dims = list(dims)
    by = list(by)
    margins = list(dims if margins is None else margins)
    required = [*dims, *by, count, *sums, *([sensitive] if sensitive else [])]
    unknown = [name for name in required if name not in table.columns]
    if unknown:
        raise ValueError(f"columns not in the table: {', '.join(unknown)}")
    if not set(margins) <= set(dims):
        raise ValueError("margins must be a subset of dims")
    _registered_call_seen()
    cells = table.with_columns(pl.col(dims).cast(pl.String))
    hidden_columns = list(
        values if values is not None else [c for c in cells.columns if c not in {*dims, *by}]
    )
    if count not in hidden_columns:
        hidden_columns.append(count)
    cells = _with_totals(cells, dims=dims, margins=margins, by=by, count=count, sums=sums)
    cells = cells.sort([*by, *dims]).with_row_index(_ROW)
    suppressed = np.zeros(cells.height, dtype=bool)
    counts = cells[count].fill_null(0).to_numpy()
    flagged = (
        cells[sensitive].fill_null(False).to_numpy()
        if sensitive
        else np.zeros(cells.height, dtype=bool)
    )
    employer_columns = [
        c
        for c in ([employer_column] if isinstance(employer_column, str) else employer_column)
        if c in dims
    ]
    is_total = np.zeros(cells.height, dtype=bool)
    for dim in margins:
        is_total |= (cells[dim] == TOTAL).to_numpy()
    groups = _constraint_groups(cells, dims=dims, margins=margins, by=by)
    knowledge = _Knowledge(cells, employer_columns, margins=margins, dims=dims, by=by)
    if viewer.employer_id is not None:
        exempt = knowledge.of(viewer.employer_id)
        insiders: list[str] | None = []
    else:
        exempt = np.zeros(cells.height, dtype=bool)
        insiders = None if insiders_protected and employer_columns else []
    tables = [range(cells.height)] if not by else _partitions(cells, by)
    starts = np.asarray([rows.start for rows in tables], dtype=np.int64)
    order = np.argsort(starts)
    per_table: list[list[ConstraintGroup]] = [[] for _ in tables]
    for group in groups:
        position = int(np.searchsorted(starts[order], group.rows[0], side="right")) - 1
        per_table[int(order[position])].append(group)
    # Many small SVDs: BLAS threads only add overhead (and contend on a shared machine).
    with threadpool_limits(limits=1):
        for rows, table_groups in zip(tables, per_table, strict=True):
            index = np.asarray(rows, dtype=np.int64)
            _suppress_table(
                _Table(index, table_groups, counts, is_total, exempt, flagged),
                suppressed,
                k,
                knowledge,
                insiders,
            )
    return cells.with_columns(
        pl.when(pl.Series(SUPPRESSED, suppressed))
        .then(None)
        .otherwise(pl.col(hidden_columns))
        .name.keep(),
        pl.Series(SUPPRESSED, suppressed),
    ).drop(_ROW)


@dataclass(frozen=True)
class ConstraintGroup:
    """Cells that add up to a published total: ``rows`` (details) and ``total`` (one row)."""

    rows: np.ndarray
    total: int


def _with_totals(
    cells: pl.DataFrame,
    *,
    dims: list[str],
    margins: list[str],
    by: list[str],
    count: str,
    sums: Sequence[str],
) -> pl.DataFrame:
    """Add every missing total row (each subset of margins set to TOTAL)."""
    detail = cells.filter(pl.all_horizontal(pl.col(d) != TOTAL for d in margins))
    parts = [cells]
    for size in range(1, len(margins) + 1):
        for totalled in itertools.combinations(margins, size):
            keys = [d for d in [*by, *dims] if d not in totalled]
            summed = (
                detail.group_by(keys)
                .agg(pl.col(count, *sums).sum())
                .with_columns(pl.lit(TOTAL, pl.String).alias(d) for d in totalled)
            )
            parts.append(summed)
    combined = pl.concat(parts, how="diagonal_relaxed")
    return combined.unique([*by, *dims], keep="first", maintain_order=True)


def _constraint_groups(
    cells: pl.DataFrame, *, dims: list[str], margins: list[str], by: list[str]
) -> list[ConstraintGroup]:
    groups: list[ConstraintGroup] = []
    for dim in margins:
        keys = [*by, *(d for d in dims if d != dim)]
        grouped = (
            cells.group_by(keys)
            .agg(
                details=pl.col(_ROW).filter(pl.col(dim) != TOTAL).sort(),
                total=pl.col(_ROW).filter(pl.col(dim) == TOTAL).first(),
            )
            .filter(pl.col("details").list.len() > 0)
        )
        for details, total in grouped.select("details", "total").iter_rows():
            rows = np.asarray(details, dtype=np.int64)
            groups.append(ConstraintGroup(rows=np.append(rows, total), total=int(total)))
    return groups


def _partitions(cells: pl.DataFrame, by: list[str]) -> list[range]:
    bounds = cells.group_by(by).agg(first=pl.col(_ROW).min(), last=pl.col(_ROW).max())
    return [range(first, last + 1) for first, last in bounds.select("first", "last").iter_rows()]


@dataclass(frozen=True)
class _Table:
    """One independent table: its rows, equations, counts, totals and never-hidden cells."""

    index: np.ndarray
    groups: list[ConstraintGroup]
    counts: np.ndarray
    is_total: np.ndarray
    exempt: np.ndarray
    flagged: np.ndarray


class _Knowledge:
    """Which cells an employer knows: its own, and totals made of its own cells only."""

    def __init__(
        self,
        cells: pl.DataFrame,
        employer_columns: list[str],
        *,
        margins: list[str],
        dims: list[str],
        by: list[str],
    ) -> None:
        self._owners = [cells[column].to_numpy() for column in employer_columns]
        own_margins = [c for c in employer_columns if c in margins]
        self._groups = (
            _constraint_groups(cells, dims=dims, margins=own_margins, by=by) if own_margins else []
        )
        self._height = cells.height
        self._cache: dict[str, np.ndarray] = {}

    def owners_of(self, rows: np.ndarray) -> set[str]:
        """Employers owning any of ``rows``."""
        found: set[str] = set()
        for owners in self._owners:
            found.update(str(o) for o in owners[rows] if o is not None and o != TOTAL)
        return found

    def of(self, employer: str) -> np.ndarray:
        if employer not in self._cache:
            known = np.zeros(self._height, dtype=bool)
            for owners in self._owners:
                known |= owners == employer
            for group in self._groups:
                if known[group.rows[:-1]].all():
                    known[group.total] = True
            self._cache[employer] = known
        return self._cache[employer]


def _suppress_table(
    table: _Table,
    suppressed: np.ndarray,
    k: int,
    knowledge: _Knowledge,
    insiders: list[str] | None,
) -> None:
    """Primary, then secondary suppression of one independent table, in place.

    Each perspective is a set of known cells: the public's (only the exempt cells), and with
    ``insiders`` None every employer owning a hidden cell. No hidden cell may follow from
    what a perspective knows plus the published cells.
    """
    index = table.index
    primary = (table.counts[index] < k) | table.flagged[index]
    suppressed[index] = primary & ~table.exempt[index]
    while True:
        perspectives = [table.exempt]
        if insiders is None:
            hidden = index[suppressed[index]]
            perspectives += [
                knowledge.of(e) | table.exempt for e in sorted(knowledge.owners_of(hidden))
            ]
        if any(_apply_count_rule(table, known, suppressed) for known in perspectives):
            continue
        for known in perspectives:
            determined = determined_cells(table.groups, suppressed & ~known, index)
            if determined:
                added = [_hide_complement_of(cell, table, known, suppressed) for cell in determined]
                if not any(added):
                    return  # nothing left this perspective does not already know
                break
        else:
            return


def _apply_count_rule(table: _Table, known: np.ndarray, suppressed: np.ndarray) -> bool:
    """Give every equation with one unknown hidden cell a complement; True if any added."""
    added = False
    changed = True
    while changed:
        changed = False
        for group in table.groups:
            unknown = suppressed[group.rows] & ~known[group.rows]
            if unknown.sum() == 1 and _suppress_complement(group, table, known, suppressed):
                changed = added = True
    return added


def _suppress_complement(
    group: ConstraintGroup, table: _Table, known: np.ndarray, suppressed: np.ndarray
) -> bool:
    """Hide the smallest visible detail cell of the group (its total if none); False if none."""
    candidates = group.rows[~suppressed[group.rows] & ~known[group.rows]]
    if candidates.size == 0:
        return False
    details = candidates[candidates != group.total]
    pool = details if details.size else candidates
    chosen = pool[np.lexsort((pool, table.counts[pool]))[0]]
    suppressed[chosen] = True
    return True


def _hide_complement_of(
    cell: int, table: _Table, known: np.ndarray, suppressed: np.ndarray
) -> bool:
    """One more hidden cell so that ``cell`` is no longer determined; False if none is left."""
    for group in table.groups:
        if cell in group.rows and _suppress_complement(group, table, known, suppressed):
            return True
    # The cell's equations are fully hidden, yet the wider system fixes it: hide the smallest
    # published cell of the table (a detail before a total).
    index = table.index
    visible = index[~suppressed[index] & ~known[index]]
    if visible.size == 0:
        return False
    order = np.lexsort((visible, table.counts[visible], table.is_total[visible]))
    suppressed[visible[order[0]]] = True
    return True


def determined_cells(
    groups: Sequence[ConstraintGroup], suppressed: np.ndarray, index: np.ndarray | None = None
) -> list[int]:
    """Hidden cells whose value follows from the published cells and totals.

    Each group gives one equation ``sum(details) - total = 0``; published cells are known.
    A hidden cell is determined when its unit vector lies in the row space of the equations
    restricted to the hidden cells.
    """
    hidden = np.flatnonzero(suppressed) if index is None else index[suppressed[index]]
    if hidden.size == 0:
        return []
    position = {int(cell): i for i, cell in enumerate(hidden)}
    equations = []
    for group in groups:
        row = np.zeros(hidden.size)
        for cell in group.rows:
            if int(cell) in position:
                row[position[int(cell)]] = -1.0 if cell == group.total else 1.0
        if row.any():
            equations.append(row)
    if not equations:
        return []
    matrix = np.vstack(equations)
    _, singular, right = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > singular.max() * max(matrix.shape) * 1e-12).sum())
    leverage = (right[:rank] ** 2).sum(axis=0)
    return [int(hidden[i]) for i in np.flatnonzero(leverage > 1 - 1e-9)]


def two_contributor_cells(
    contributions: pl.DataFrame,
    keys: Sequence[str],
    *,
    count: str,
    k: int = DEFAULT_K,
    employer_column: str = "employer_id",
) -> pl.DataFrame:
    """Cells with exactly two contributing employers, one of them below ``k`` people.

    Each of the two knows its own part and would find the other's by subtracting it from the
    cell. ``contributions`` has one row per cell (``keys``) and employer with its ``count``.
    Returns ``keys`` and a boolean ``sensitive``.
    """
    keys = list(keys)
    return (
        contributions.filter(pl.col(count) > 0)
        .group_by(keys)
        .agg(employers=pl.col(employer_column).n_unique(), smallest=pl.col(count).min())
        .select(*keys, sensitive=(pl.col("employers") == 2) & (pl.col("smallest") < k))
    )


# -- registry of employer views ----------------------------------------------------------------

P = ParamSpec("P")

_DISCLOSE_CALLS: ContextVar[list[int] | None] = ContextVar("_disclose_calls", default=None)


def _registered_call_seen() -> None:
    calls = _DISCLOSE_CALLS.get()
    if calls is not None:
        calls.append(1)


class UndisclosedViewError(RuntimeError):
    """A registered employer view returned a table that did not pass :func:`disclose`."""


@dataclass(frozen=True)
class EmployerView:
    """A function that compares or lists employers, with the shape of the table it returns."""

    name: str
    function: Callable[..., pl.DataFrame]
    count: str
    dims: tuple[str, ...]
    by: tuple[str, ...] = ()


EMPLOYER_VIEWS: dict[str, EmployerView] = {}
"""Every registered employer-comparing function, by name."""


def employer_view(
    *, count: str, dims: Sequence[str], by: Sequence[str] = ()
) -> Callable[[Callable[P, pl.DataFrame]], Callable[P, pl.DataFrame]]:
    """Register a function that compares employers; it must call :func:`disclose`.

    The wrapped function raises :class:`UndisclosedViewError` when it returns without having
    passed its output through :func:`disclose`.
    """

    def register(function: Callable[P, pl.DataFrame]) -> Callable[P, pl.DataFrame]:
        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> pl.DataFrame:
            calls: list[int] = []
            token = _DISCLOSE_CALLS.set(calls)
            try:
                result = function(*args, **kwargs)
            finally:
                _DISCLOSE_CALLS.reset(token)
            if calls:
                _registered_call_seen()  # a view built on this one passed disclosure too
            if not calls or SUPPRESSED not in result.columns:
                raise UndisclosedViewError(f"{function.__name__} bypassed disclosure control")
            return result

        EMPLOYER_VIEWS[function.__name__] = EmployerView(
            name=function.__name__,
            function=checked,
            count=count,
            dims=tuple(dims),
            by=tuple(by),
        )
        return checked

    return register
