"""DUO "ingeschrevenen hbo" reader against the real copy in data/external/duo."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from workforce.ingest.cbs import OpenDataError, OpenDataNotFoundError, UnexpectedTableError
from workforce.ingest.duo import HBO_ENROLMENT_COLUMNS, read_hbo_enrolments
from workforce.reference import load_reference

KEY = ["year", "institution_code", "municipality_code", "programme_code", "route", "sex"]

# One record of the real file (inputdata.json lines 63222-63241), used to build small files.
HU_NURSING_RECORD = {
    "2015": 989,
    "2016": 997,
    "2017": 1234,
    "2018": 1100,
    "2019": 1202,
    "PROVINCIE": "Utrecht",
    "GEMEENTENUMMER": "0344",
    "GEMEENTENAAM": "Utrecht",
    "SOORT INSTELLING": "reguliere inst.",
    "TYPE HOGER ONDERWIJS": "bachelor",
    "BRIN NUMMER ACTUEEL": "25DW",
    "INSTELLINGSNAAM ACTUEEL": "Hogeschool Utrecht",
    "CROHO ONDERDEEL": "gezondheidszorg",
    "CROHO SUBONDERDEEL": "n.v.t. (gezondheidszorg)",
    "OPLEIDINGSCODE ACTUEEL": 34560,
    "OPLEIDINGSNAAM ACTUEEL": "B Opleiding tot Verpleegkundige",
    "OPLEIDINGSVORM": "voltijd onderwijs",
    "GESLACHT": "vrouw",
}


@pytest.fixture(scope="module")
def enrolments() -> pl.DataFrame:
    return read_hbo_enrolments()


def write_json(path: Path, records: object) -> Path:
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_shape_and_types(enrolments: pl.DataFrame) -> None:
    assert enrolments.columns == HBO_ENROLMENT_COLUMNS
    assert enrolments.schema["enrolled"] == pl.Int64
    assert enrolments.schema["programme_code"] == pl.String
    # 4,169 records x 5 years
    assert enrolments.height == 4_169 * 5
    assert sorted(enrolments["year"].unique()) == [2015, 2016, 2017, 2018, 2019]
    assert set(enrolments["route"]) == {"voltijd", "deeltijd", "duaal"}
    assert set(enrolments["sex"]) == {"male", "female"}
    assert enrolments.null_count().sum_horizontal().item() == 0
    assert not enrolments.select(KEY).is_duplicated().any()


def test_hogeschool_utrecht_nursing(enrolments: pl.DataFrame) -> None:
    # inputdata.json lines 63222-63241: 25DW Hogeschool Utrecht, 34560 B Opleiding tot
    # Verpleegkundige, voltijd onderwijs, vrouw: "2015": 989 ... "2019": 1202
    rows = enrolments.filter(
        institution_code="25DW", programme_code="34560", route="voltijd", sex="female"
    ).sort("year")
    assert rows["enrolled"].to_list() == [989, 997, 1234, 1100, 1202]
    first = rows.row(0, named=True)
    assert first["institution_name"] == "Hogeschool Utrecht"
    assert first["municipality_code"] == "GM0344"
    assert first["programme_name"] == "B Opleiding tot Verpleegkundige"
    assert first["degree"] == "bachelor"
    assert first["croho_sector"] == "gezondheidszorg"


def test_utrecht_care_programmes_present(enrolments: pl.DataFrame) -> None:
    hu = enrolments.filter(institution_code="25DW")
    codes = set(hu["programme_code"])
    # nursing, social work, physiotherapy, oral care
    assert {"34560", "34116", "34570", "34576"} <= codes


def test_municipality_numbers_stored_as_numbers_get_their_zeros(tmp_path: Path) -> None:
    # the real file writes some municipality numbers as JSON numbers (1883 Sittard-Geleen)
    record = {**HU_NURSING_RECORD, "GEMEENTENUMMER": 344}
    frame = read_hbo_enrolments(write_json(tmp_path / "hbo.json", [record]))
    assert set(frame["municipality_code"]) == {"GM0344"}


def test_programme_code_links_to_reference(enrolments: pl.DataFrame) -> None:
    codes = load_reference().programme_codes.filter(pl.col("code_system") == "croho")
    linked = enrolments.join(codes, left_on="programme_code", right_on="code", how="inner")
    nursing = linked.filter(institution_code="25DW", programme_code="34560")
    assert nursing.height > 0
    assert set(nursing["programme_code_right"]) == {"34560"}


def test_wrong_keys_are_refused(tmp_path: Path) -> None:
    record = {key: value for key, value in HU_NURSING_RECORD.items() if key != "GESLACHT"}
    path = write_json(tmp_path / "hbo.json", [record])
    with pytest.raises(UnexpectedTableError, match="GESLACHT") as caught:
        read_hbo_enrolments(path)
    assert "hbo.json" in str(caught.value)


def test_not_an_array_is_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path / "hbo.json", {"value": []})
    with pytest.raises(UnexpectedTableError, match="JSON array"):
        read_hbo_enrolments(path)


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hbo.json"
    path.write_text("ID;Bedrijfskenmerken\n", encoding="utf-8")
    with pytest.raises(OpenDataError, match="cannot be read as JSON"):
        read_hbo_enrolments(path)


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    record = {**HU_NURSING_RECORD, "OPLEIDINGSVORM": "avondonderwijs"}
    with pytest.raises(OpenDataError, match="avondonderwijs"):
        read_hbo_enrolments(write_json(tmp_path / "hbo.json", [record]))


def test_missing_count_is_null(tmp_path: Path) -> None:
    record = {**HU_NURSING_RECORD, "2019": None}
    frame = read_hbo_enrolments(write_json(tmp_path / "hbo.json", [record]))
    assert frame.filter(year=2019)["enrolled"].item() is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OpenDataNotFoundError):
        read_hbo_enrolments(tmp_path / "absent.json")
