"""Disclosure control: small cells hidden, and never recoverable from published totals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce.privacy import SUPPRESSED, TOTAL, Viewer, disclose, two_contributor_cells

EMPLOYERS = ["A", "B", "C", "D", "E", "F"]
CATEGORIES = ["u", "v", "w", "x", "y"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[pl.DataFrame, int]:
    """A sparse employer x category table of people counts, and a threshold k."""
    employers = EMPLOYERS[: draw(st.integers(1, len(EMPLOYERS)))]
    categories = CATEGORIES[: draw(st.integers(1, len(CATEGORIES)))]
    rows = []
    for employer in employers:
        for category in categories:
            if draw(st.booleans()) or draw(st.booleans()):
                rows.append((employer, category, draw(st.integers(0, 40))))
    if not rows:
        rows.append((employers[0], categories[0], draw(st.integers(0, 40))))
    table = pl.DataFrame(rows, schema=["employer_id", "category", "people"], orient="row")
    return table, draw(st.integers(1, 15))


def equations(published: pl.DataFrame, insider: str | None = None) -> tuple[np.ndarray, list[int]]:
    """Published totals as equations over the hidden cells: one row per employer and category.

    Built independently of the implementation: for each row and column of the table,
    sum(details) - total = 0, with published values moved to the right-hand side. An
    ``insider`` employer also knows its own cells (its row, including its row total) and a
    column total made of its cells alone.
    """
    employer = published["employer_id"].to_list()
    category = published["category"].to_list()
    alone = {
        c
        for c in set(category)
        if {e for e, cat in zip(employer, category, strict=True) if cat == c and e != TOTAL}
        == {insider}
    }
    known = [
        e == insider or (e == TOTAL and c in alone) for e, c in zip(employer, category, strict=True)
    ]
    hidden = [i for i, flag in enumerate(published[SUPPRESSED].to_list()) if flag and not known[i]]
    column = {row: j for j, row in enumerate(hidden)}
    rows = []
    for dim, other in ((employer, category), (category, employer)):
        for key in set(other):
            members = [i for i in range(published.height) if other[i] == key]
            equation = np.zeros(len(hidden))
            for i in members:
                if i in column:
                    equation[column[i]] = -1.0 if dim[i] == TOTAL else 1.0
            if equation.any():
                rows.append(equation)
    return (np.vstack(rows) if rows else np.zeros((0, len(hidden)))), hidden


def derivable(matrix: np.ndarray, position: int) -> bool:
    """Whether unknown ``position`` is fixed by the equations (unit vector in the row space)."""
    unit = np.zeros(matrix.shape[1])
    unit[position] = 1.0
    if matrix.shape[0] == 0:
        return False
    return bool(np.linalg.matrix_rank(np.vstack([matrix, unit])) == np.linalg.matrix_rank(matrix))


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_published_cell_below_k_and_no_hidden_cell_derivable(
    drawn: tuple[pl.DataFrame, int],
) -> None:
    table, k = drawn
    published = disclose(table, dims=["employer_id", "category"], count="people", k=k)

    visible = published.filter(~pl.col(SUPPRESSED))
    assert (visible["people"] >= k).all()
    assert (
        published.filter(pl.col(SUPPRESSED))["people"].null_count() == published[SUPPRESSED].sum()
    )
    for dim, other in (("employer_id", "category"), ("category", "employer_id")):
        hidden_per_group = published.group_by(other).agg(pl.col(SUPPRESSED).sum())
        assert not (hidden_per_group[SUPPRESSED] == 1).any(), dim
    matrix, hidden = equations(published)
    assert not any(derivable(matrix, j) for j in range(len(hidden)))
    for insider in table["employer_id"].unique():
        matrix, hidden = equations(published, insider)
        assert not any(derivable(matrix, j) for j in range(len(hidden))), insider


@settings(max_examples=100, deadline=None)
@given(tables(), st.sampled_from(EMPLOYERS[:3]))
def test_an_employer_sees_its_own_cells_but_cannot_derive_others(
    drawn: tuple[pl.DataFrame, int], employer: str
) -> None:
    table, k = drawn
    published = disclose(
        table, dims=["employer_id", "category"], count="people", k=k, viewer=Viewer(employer)
    )

    own = published.filter(pl.col("employer_id") == employer)
    assert not own[SUPPRESSED].any()
    others = published.filter(~pl.col("employer_id").is_in([employer, TOTAL]) & ~pl.col(SUPPRESSED))
    assert (others["people"] >= k).all()
    matrix, hidden = equations(published, employer)
    assert not any(derivable(matrix, j) for j in range(len(hidden)))


def test_a_lone_small_cell_in_a_list_takes_the_next_smallest_with_it() -> None:
    table = pl.DataFrame(
        {"employer_id": ["A", "B", "C", "D"], "people": [4, 25, 12, 40], "leavers": [1, 5, 2, 8]}
    )

    published = disclose(
        table, dims=["employer_id"], count="people", sums=["leavers"], insiders_protected=False
    )

    expected = pl.DataFrame(
        {
            "employer_id": ["A", "B", "C", "D", TOTAL],
            "people": [None, 25, None, 40, 81],
            "leavers": [None, 5, None, 8, 16],
            SUPPRESSED: [True, False, True, False, False],
        }
    )
    assert published.sort("employer_id").equals(expected.sort("employer_id"))


def test_an_employer_cannot_subtract_its_own_cell_to_find_a_small_one() -> None:
    # Public: A (small) and C hidden; but C knows its own 12 and would find A = 81 - 25 - 40 - 12.
    table = pl.DataFrame({"employer_id": ["A", "B", "C", "D"], "people": [4, 25, 12, 40]})

    published = disclose(table, dims=["employer_id"], count="people")

    hidden = published.filter(pl.col(SUPPRESSED))["employer_id"].sort().to_list()
    assert hidden == ["A", "B", "C"]
    assert published.filter(pl.col("employer_id") == TOTAL)["people"].item() == 81


def test_two_employers_and_a_small_one_publish_no_total() -> None:
    table = pl.DataFrame({"employer_id": ["A", "B"], "people": [4, 30]})

    published = disclose(table, dims=["employer_id"], count="people")

    assert published[SUPPRESSED].all()


def test_a_lone_employer_hides_the_total_instead() -> None:
    table = pl.DataFrame({"employer_id": ["A", "B"], "people": [4, 30]})

    published = disclose(table, dims=["employer_id"], count="people", viewer=Viewer("B"))

    assert published.filter(pl.col("employer_id") == "A")[SUPPRESSED].item()
    assert published.filter(pl.col("employer_id") == TOTAL)[SUPPRESSED].item()
    assert published.filter(pl.col("employer_id") == "B")["people"].item() == 30


def test_two_cycles_joined_by_one_cell_get_an_extra_suppression() -> None:
    # Hidden cells a1,a2,b1,b2 and c3,c4,d3,d4 form two cycles; b3 joins them. Every row and
    # column has two hidden cells, yet b3 = row b total - published - (b1 + b2) would follow.
    big = 50
    cells = {
        ("a", "1"): 3, ("a", "2"): 3, ("b", "1"): 3, ("b", "2"): 3, ("b", "3"): 4,
        ("c", "3"): 3, ("c", "4"): 3, ("d", "3"): 3, ("d", "4"): 3,
    }  # fmt: skip
    rows = [(row, col, cells.get((row, col), big)) for row in "abcd" for col in "1234"]
    table = pl.DataFrame(rows, schema=["employer_id", "category", "people"], orient="row")

    published = disclose(table, dims=["employer_id", "category"], count="people")

    matrix, hidden = equations(published)
    assert len(hidden) > len(cells)
    assert not any(derivable(matrix, j) for j in range(len(hidden)))


def test_independent_tables_per_period_are_suppressed_separately() -> None:
    table = pl.DataFrame(
        {
            "year": [2024, 2024, 2024, 2025, 2025, 2025],
            "employer_id": ["A", "B", "C"] * 2,
            "people": [5, 30, 40, 50, 30, 40],
        }
    )

    published = disclose(table, dims=["employer_id"], count="people", by=["year"])

    hidden = published.filter(pl.col(SUPPRESSED)).select("year", "employer_id")
    assert sorted(hidden.rows()) == [(2024, "A"), (2024, "B"), (2024, "C")]


def test_rejects_unknown_columns_and_bad_threshold() -> None:
    table = pl.DataFrame({"employer_id": ["A"], "people": [4]})
    with pytest.raises(ValueError, match="headcount"):
        disclose(table, dims=["employer_id"], count="headcount")
    with pytest.raises(ValueError, match="k must be"):
        disclose(table, dims=["employer_id"], count="people", k=0)


def test_a_regional_cell_of_two_employers_one_small_is_hidden() -> None:
    contributions = pl.DataFrame(
        {
            "profession_code": ["x", "x", "y", "y", "y", "z", "z"],
            "employer_id": ["A", "B", "A", "B", "C", "A", "B"],
            "headcount": [4, 30, 4, 30, 20, 12, 30],
        }
    )
    regional = contributions.group_by("profession_code").agg(pl.sum("headcount"))

    flags = two_contributor_cells(contributions, ["profession_code"], count="headcount")
    published = disclose(
        regional.join(flags, on="profession_code"),
        dims=["profession_code"],
        count="headcount",
        sensitive="sensitive",
    )

    assert dict(flags.iter_rows()) == {"x": True, "y": False, "z": False}
    hidden = published.filter(pl.col(SUPPRESSED))["profession_code"].sort().to_list()
    assert hidden == ["x", "z"]  # x: B would find A's 4; z: complement, or x = total - y - z


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=8),
    st.integers(1, 15),
)
def test_a_list_of_employers_never_gives_a_small_cell_away(counts: list[int], k: int) -> None:
    names = [*EMPLOYERS, "G", "H"][: len(counts)]
    table = pl.DataFrame({"employer_id": names, "people": counts})

    published = disclose(table, dims=["employer_id"], count="people", k=k)

    details = published.filter(pl.col("employer_id") != TOTAL)
    assert (details.filter(~pl.col(SUPPRESSED))["people"] >= k).all()
    hidden = set(published.filter(pl.col(SUPPRESSED))["employer_id"])
    # One equation (the total): a cell follows from it when it is the only unknown, for the
    # public and for each employer knowing its own cell.
    for insider in [None, *table["employer_id"]]:
        sole = table.height == 1 and insider is not None
        known = {insider, TOTAL} if sole else {insider}  # a sole employer knows the total
        assert len(hidden - known) != 1, insider
