"""Contracts of the stages' outputs: every output has one, and they name file and column."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.fingerprint import FINGERPRINT
from workforce.contracts import CONTRACTS, ContractError, check_frame, check_schema
from workforce.ingest.cbs import UnexpectedTableError, read_sick_leave, tidy
from workforce.marts.compute import MART_NAMES

GROUP_OF_FOLDER = {"marts": "mart", "forecasts": "forecast", "regional": "regional"}


def test_every_mart_has_a_contract() -> None:
    assert set(MART_NAMES) <= set(CONTRACTS["mart"])


def test_every_output_of_the_generated_region_has_a_contract() -> None:
    """The fingerprint lists every frame the pipeline writes (see ``tests/fingerprint.py``)."""
    names = json.loads(FINGERPRINT.read_text())
    written = [name.split("/") for name in names if name.split("/")[0] in GROUP_OF_FOLDER]
    assert len(written) > 20
    missing = [
        f"{folder}/{name}"
        for folder, name in written
        if name not in CONTRACTS[GROUP_OF_FOLDER[folder]]
    ]
    assert not missing


def test_extra_columns_and_wider_integers_are_accepted() -> None:
    schema = {
        "quarter": pl.Date(),
        "from_employer_id": pl.String(),
        "from_sector_code": pl.String(),
        "to_employer_id": pl.String(),
        "to_sector_code": pl.String(),
        "profession_code": pl.String(),
        "to_profession_code": pl.String(),
        "moves": pl.UInt32(),
        "note": pl.String(),
    }
    check_schema(schema, "mart mobility", source="mobility.parquet")
    with pytest.raises(ContractError, match="column moves holds Float64, expected an integer"):
        check_schema(schema | {"moves": pl.Float64()}, "mart mobility", source="x.parquet")


def test_a_frame_without_a_contract_is_not_checked() -> None:
    negative_moves = pl.DataFrame({"moves": [-1]})
    check_frame(negative_moves, "mart not_yet_contracted", source="x")
    with pytest.raises(ContractError):
        check_frame(negative_moves, "mart mobility", source="x")


def test_open_data_readers_return_frames_that_keep_their_contract() -> None:
    frame = read_sick_leave()
    assert frame.height > 0
    broken = frame.with_columns(period=pl.col("period").cast(pl.String))
    with pytest.raises(UnexpectedTableError) as raised:
        tidy(broken, Path("80072ned.csv"), "sick_leave")
    assert str(raised.value) == (
        "80072ned.csv: column period holds String, expected a date "
        "(the open data sick_leave contract)"
    )
