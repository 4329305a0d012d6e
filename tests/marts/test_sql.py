"""The benchmark's DuckDB SQL for ``workforce_monthly`` stays equal to the mart, cell for cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from polars.testing import assert_frame_equal

from tests.marts.test_compute import SETTINGS, covered, marts_of, spell_lists
from workforce.marts.flows import entry_ages
from workforce.reference import load_reference
from workforce.schemas import StaffSpell, contract_columns

duckdb = pytest.importorskip("duckdb")

SQL = Path(__file__).resolve().parents[2] / "benchmarks" / "workforce_monthly.sql"


@SETTINGS
@given(spell_lists())
def test_the_benchmark_sql_gives_the_mart(spells: list[dict[str, Any]]) -> None:
    mart = marts_of(spells)["workforce_monthly"]
    connection = duckdb.connect()
    connection.register("staff", pl.DataFrame(spells, schema=contract_columns(StaffSpell)))
    connection.register("months", covered())
    connection.register("entry_ages", entry_ages(load_reference()))
    result = connection.sql(SQL.read_text(encoding="utf-8")).pl()
    assert_frame_equal(result, mart, check_exact=True)
