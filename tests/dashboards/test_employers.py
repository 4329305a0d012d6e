"""Employers by a Dutch label with their kind of organisation, never by their bare code."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.dashboards.employers import employer_label, employer_labels, read_employer_sectors
from workforce.dashboards.format import Language

SECTORS = pl.DataFrame(
    {
        "employer_id": ["VVT-02", "JZG-01", "VVT-01", "UMC-01", "X-9"],
        "sector_code": [
            "elderly_home_care",
            "youth_care",
            "elderly_home_care",
            "umc",
            "unknown_sector",
        ],
    }
)


def test_employers_are_numbered_within_their_sector_by_code() -> None:
    labels = employer_labels(SECTORS)
    assert labels == {
        "VVT-01": "VVT-instelling 01",
        "VVT-02": "VVT-instelling 02",
        "JZG-01": "Jeugdzorginstelling",  # the only one of its sector
        "UMC-01": "Universitair medisch centrum",
        "X-9": "Werkgever X-9",  # a sector without a kind
    }
    assert employer_labels(SECTORS, Language.en)["VVT-02"] == "Elderly care provider 02"


def test_an_employer_without_a_label_is_said_to_be_an_employer() -> None:
    assert employer_label({}, "GGZ-07", Language.nl) == "Werkgever GGZ-07"
    assert employer_label({}, "GGZ-07", Language.en) == "Employer GGZ-07"


def test_each_employers_sector_is_the_one_most_of_its_rows_carry(tmp_path: Path) -> None:
    marts = tmp_path / "marts"
    marts.mkdir()
    pl.DataFrame(
        {
            "employer_id": ["A", "A", "A", "B"],
            "sector_code": ["hospitals", "umc", "hospitals", "childcare"],
        }
    ).write_parquet(marts / "workforce_monthly.parquet")
    sectors = read_employer_sectors(tmp_path)
    assert sorted(sectors.rows()) == [("A", "hospitals"), ("B", "childcare")]
    assert read_employer_sectors(tmp_path / "elsewhere").is_empty()
