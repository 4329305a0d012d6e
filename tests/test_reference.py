"""Reference tables: complete, consistent, and loaded with their codes intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from workforce.reference import (
    DEFAULT_REGION,
    ReferenceError,
    load_reference,
    reference_dir,
)

MIDDEN_UTRECHT = {
    "GM0310", "GM0312", "GM0321", "GM0331", "GM0335", "GM0344", "GM0352",
    "GM0353", "GM0355", "GM0356", "GM0589", "GM0632", "GM1581", "GM1904",
}  # fmt: skip


def test_midden_utrecht_has_its_14_municipalities() -> None:
    reference = load_reference()
    assert set(reference.municipality_codes(DEFAULT_REGION)) == MIDDEN_UTRECHT
    assert set(reference.region_codes()) == {"AM13", "AM14", "AM12"}
    assert len(reference.municipality_codes("AM14")) == 7
    assert len(reference.municipality_codes("AM12")) == 7


def test_unknown_region_names_the_known_ones() -> None:
    with pytest.raises(ReferenceError, match="AM13"):
        load_reference().municipality_codes("AM99")


def test_ten_azw_branches_and_about_thirty_professions() -> None:
    reference = load_reference()
    assert len(reference.sector_codes()) == 10
    assert 30 <= len(reference.profession_codes()) <= 40
    professions = reference.professions
    assert professions["isco08_code"].str.contains(r"^\d{4}$").all()
    brc = professions["brc2014_code"].drop_nulls()
    assert brc.str.contains(r"^\d{4}$").all()


def test_codes_keep_leading_zeros() -> None:
    reference = load_reference()
    assert "09MR" in reference.institution_codes()
    assert "GM0310" in reference.municipality_codes()
    assert "0131" in reference.professions["brc2014_code"].to_list()


def test_old_and_new_crebo_codes_map_to_one_programme() -> None:
    reference = load_reference()
    codes = pl.DataFrame({"code": ["25655", "25480", "92600", "92604", "10426", "34565", "99999"]})
    mapped = codes.select(reference.programme_of(pl.col("code")))["code"].to_list()
    assert mapped == ["25655", "25655", "25655", "25655", "25655", "34560", None]


def test_every_programme_has_exactly_one_current_code() -> None:
    reference = load_reference()
    current = reference.programme_codes.filter(pl.col("status") == "current")
    assert (
        current["programme_code"].sort().to_list()
        == reference.programmes["programme_code"].sort().to_list()
    )
    assert (current["code"] == current["programme_code"]).all()


def test_entry_shares_are_fractions_and_marked_as_assumptions() -> None:
    shares = load_reference().programme_professions
    assert shares["entry_share"].is_between(0, 1, closed="right").all()
    assert shares["basis"].str.contains("assumption").all()


def test_every_row_names_its_source() -> None:
    reference = load_reference()
    for table in ("municipalities", "sectors", "professions", "programme_codes", "institutions"):
        frame = getattr(reference, table)
        assert frame["source"].null_count() == 0, table


def _copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(reference_dir(), target)
    return target


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "sectors.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="duplicate sector_code"):
        load_reference(folder)


def test_dangling_programme_link_is_refused(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "programme_professions.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("25655,astronaut,0.1,planning assumption\n")
    with pytest.raises(ReferenceError, match="astronaut"):
        load_reference(folder)


def test_missing_table_is_named(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    (folder / "professions.csv").unlink()
    with pytest.raises(ReferenceError, match=r"professions\.csv"):
        load_reference(folder)
