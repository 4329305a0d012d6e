"""CBS readers against the real copies in data/external/cbs, and against broken files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from workforce.ingest.cbs import (
    EXTERNAL_ENV,
    OpenDataError,
    OpenDataNotFoundError,
    UnexpectedTableError,
    external_dir,
    parse_period,
    read_regional_vacancies,
    read_sick_leave,
    read_vacancies_by_sector,
    read_working_population,
)

VACANCY_COLUMNS = [
    "period",
    "period_code",
    "frequency",
    "sector_key",
    "sector_label",
    "measure",
    "value",
    "unit",
]


@pytest.fixture(scope="module")
def vacancies() -> pl.DataFrame:
    return read_vacancies_by_sector()


@pytest.fixture(scope="module")
def regional() -> pl.DataFrame:
    return read_regional_vacancies()


@pytest.fixture(scope="module")
def sick_leave() -> pl.DataFrame:
    return read_sick_leave()


@pytest.fixture(scope="module")
def working_population() -> pl.DataFrame:
    return read_working_population()


def one_value(frame: pl.DataFrame, **keys: str) -> float | None:
    rows = frame.filter(**keys)
    assert rows.height == 1, f"expected one row for {keys}, found {rows.height}"
    return rows["value"].item()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2023KW03", (date(2023, 7, 1), "quarter")),
        ("1997KW01", (date(1997, 1, 1), "quarter")),
        ("2022JJ00", (date(2022, 1, 1), "year")),
        ("2020MM11", (date(2020, 11, 1), "month")),
        (" 2019KW04 ", (date(2019, 10, 1), "quarter")),
        ("2015X000", None),
    ],
)
def test_period_codes(code: str, expected: tuple[date, str] | None) -> None:
    assert parse_period(code) == expected


@pytest.mark.parametrize("code", ["2023KW05", "2023MM13", "2023", "KW012023", ""])
def test_unknown_period_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="period code"):
        parse_period(code)


def test_vacancies_by_sector_shape(vacancies: pl.DataFrame) -> None:
    assert vacancies.columns == VACANCY_COLUMNS
    assert vacancies.schema["period"] == pl.Date
    assert vacancies.schema["value"] == pl.Float64
    # 58 sectors x 133 periods x 3 measures in the file
    assert vacancies.height == 58 * 133 * 3
    assert set(vacancies["measure"]) == {"open_vacancies", "new_vacancies", "filled_vacancies"}
    assert set(vacancies["frequency"]) == {"quarter", "year"}
    assert set(vacancies["unit"]) == {"x1000 vacancies"}
    assert vacancies["period"].min() == date(1997, 1, 1)
    assert vacancies["period"].max() == date(2023, 7, 1)


def test_vacancies_keys_are_stripped(vacancies: pl.DataFrame) -> None:
    # the file spells Q as "422400 " (with a trailing space)
    keys = set(vacancies["sector_key"])
    assert {"422400", "422600", "425300", "426600", "T001081"} <= keys
    assert all(key == key.strip() for key in keys)


def test_vacancies_known_values(vacancies: pl.DataFrame) -> None:
    # vacatures.csv line 6251: "6249";"422400 ";"2023KW02";"    66.7";"      53";"      53"
    q_2023q2 = {"sector_key": "422400", "period_code": "2023KW02"}
    assert one_value(vacancies, measure="open_vacancies", **q_2023q2) == 66.7
    assert one_value(vacancies, measure="new_vacancies", **q_2023q2) == 53.0
    assert one_value(vacancies, measure="filled_vacancies", **q_2023q2) == 53.0
    # line 6767: "6765";"425300 ";"2020KW01";"    13.5";"      15";"      14"
    assert (
        one_value(vacancies, sector_key="425300", period_code="2020KW01", measure="open_vacancies")
        == 13.5
    )
    # line 131: "129";"T001081";"2022JJ00";"   444.4";"    1550";"    1507"
    row = vacancies.filter(sector_key="T001081", period_code="2022JJ00", measure="new_vacancies")
    assert row["value"].item() == 1550.0
    assert row["frequency"].item() == "year"
    assert row["period"].item() == date(2022, 1, 1)


def test_vacancies_dot_is_null(vacancies: pl.DataFrame) -> None:
    # line 6: "4";"T001081";"1997JJ00";"       .";"     715";"     679"
    all_1997 = {"sector_key": "T001081", "period_code": "1997JJ00"}
    assert one_value(vacancies, measure="open_vacancies", **all_1997) is None
    assert one_value(vacancies, measure="new_vacancies", **all_1997) == 715.0
    # "." appears 58 times in the file, all in OpenstaandeVacatures_1
    assert vacancies["value"].null_count() == 58


def test_vacancies_labels(vacancies: pl.DataFrame) -> None:
    labels = dict(vacancies.select("sector_key", "sector_label").unique().iter_rows())
    assert labels["422400"] == "Q Gezondheids- en welzijnszorg"
    assert labels["422600"] == "861 Ziekenhuizen"
    assert labels["425300"] == "87 Verpleging en zorg met overnachting"
    assert labels["426600"] == "88 Welzijnszorg zonder overnachting"
    assert labels["T001081"] == "A-U Alle economische activiteiten"


def test_vacancies_multiplied_out() -> None:
    frame = read_vacancies_by_sector(thousands=False)
    row = frame.filter(sector_key="422400", period_code="2023KW02", measure="open_vacancies")
    assert row["value"].item() == 66_700.0
    assert row["unit"].item() == "vacancies"


def test_regional_vacancies(regional: pl.DataFrame) -> None:
    assert regional.columns == [
        *VACANCY_COLUMNS[:3],
        "region_key",
        "region_label",
        *VACANCY_COLUMNS[3:],
    ]
    # 24 sectors x 17 regions x 50 quarters
    assert regional.height == 24 * 17 * 50
    regions = set(regional["region_key"])
    assert regions == {
        "NL01",
        *(f"LD0{n}" for n in range(1, 5)),
        *(f"PV{n}" for n in range(20, 32)),
    }
    assert set(regional["measure"]) == {"open_vacancies"}
    assert set(regional["unit"]) == {"x1000 vacancies"}


def test_regional_known_values(regional: pl.DataFrame) -> None:
    # vacatures_regio.csv line 18451: 18449,422400,PV26  ,2023KW02,5.8
    row = regional.filter(sector_key="422400", region_key="PV26", period_code="2023KW02")
    assert row["value"].item() == 5.8
    assert row["region_label"].item() == "Utrecht (PV)"
    assert row["sector_label"].item() == "Q Gezondheids- en welzijnszorg"
    # line 601: 599,T001081,PV26  ,2023KW02,41.2
    assert one_value(regional, sector_key="T001081", region_key="PV26", period_code="2023KW02") == (
        41.2
    )


def test_regional_empty_value_is_null(regional: pl.DataFrame) -> None:
    # line 16116: 16114,300013,PV31  ,2014KW03,   (the only empty value in the file)
    assert (
        one_value(regional, sector_key="300013", region_key="PV31", period_code="2014KW03") is None
    )
    assert regional["value"].null_count() == 1


def test_sick_leave(sick_leave: pl.DataFrame) -> None:
    assert sick_leave.columns == VACANCY_COLUMNS
    assert set(sick_leave["measure"]) == {"sick_leave_pct"}
    assert set(sick_leave["unit"]) == {"percent"}
    # 39 sectors x 140 periods (1996 Q1 - 2023 Q4 and years)
    assert sick_leave.height == 39 * 140
    assert sick_leave["period"].max() == date(2023, 10, 1)
    # sick_leave_data.csv line 4200: 4198,422400 ,2023KW04,7.7
    assert one_value(sick_leave, sector_key="422400", period_code="2023KW04") == 7.7
    # line 4480: 4478,422600 ,2023KW04,7.0
    assert one_value(sick_leave, sector_key="422600", period_code="2023KW04") == 7.0
    # line 880: 880,317105 ,2004KW01,   (empty: not published)
    assert one_value(sick_leave, sector_key="317105", period_code="2004KW01") is None
    labels = dict(sick_leave.select("sector_key", "sector_label").unique().iter_rows())
    assert labels["422500"] == "86 Gezondheidszorg"


def test_working_population(working_population: pl.DataFrame) -> None:
    assert working_population.columns == [
        "period",
        "period_code",
        "frequency",
        "sector_key",
        "sector_label",
        "person_characteristic_key",
        "person_characteristic_label",
        "sex_key",
        "sex_label",
        "measure",
        "value",
        "unit",
    ]
    assert working_population.height == 481_770
    assert set(working_population["unit"]) == {"x1000 persons"}
    # cbs.82807NED_Observations.parquet, Id 3678: 3000795_1, Value 1390.0, 2018KW04,
    # 422400, T009002 (all persons), T001038 (men and women)
    row = working_population.filter(
        period_code="2018KW04", sector_key="422400", person_characteristic_key="T009002"
    ).filter(sex_key="T001038")
    assert row["value"].item() == 1390.0
    assert row["sector_label"].item() == "Q Gezondheids- en welzijnszorg"
    assert row["person_characteristic_label"].item() == "Totaal personen"
    assert row["sex_label"].item() == "Totaal mannen en vrouwen"
    assert row["period"].item() == date(2018, 10, 1)
    # Id 169038 (men, 247.0) and Id 334398 (women, 1143.0) add up to the total
    by_sex = working_population.filter(
        period_code="2018KW04", sector_key="422400", person_characteristic_key="T009002"
    )
    assert dict(by_sex.select("sex_label", "value").iter_rows()) == {
        "Totaal mannen en vrouwen": 1390.0,
        "Mannen": 247.0,
        "Vrouwen": 1143.0,
    }


def test_working_population_multiplied_out() -> None:
    frame = read_working_population(thousands=False).filter(
        period_code="2018KW04",
        sector_key="422400",
        person_characteristic_key="T009002",
        sex_key="T001038",
    )
    assert frame["value"].item() == 1_390_000.0
    assert frame["unit"].item() == "persons"


def test_wrong_table_names_the_file_and_the_columns() -> None:
    sick_leave_file = external_dir() / "cbs/80072ned/sick_leave_data.csv"
    with pytest.raises(UnexpectedTableError) as caught:
        read_vacancies_by_sector(sick_leave_file)
    message = str(caught.value)
    assert "sick_leave_data.csv" in message
    assert "OpenstaandeVacatures_1" in message
    assert isinstance(caught.value, OpenDataError)


def test_wrong_parquet_table_is_refused() -> None:
    codes = external_dir() / "cbs/82807ned/cbs.82807NED_GeslachtCodes.parquet"
    with pytest.raises(UnexpectedTableError, match="Perioden"):
        read_working_population(codes)


def test_observations_with_text_values_are_refused(tmp_path: Path) -> None:
    source = external_dir() / "cbs/82807ned"
    for code_table in source.glob("*Codes.parquet"):
        (tmp_path / code_table.name).write_bytes(code_table.read_bytes())
    observations = pl.read_parquet(source / "cbs.82807NED_Observations.parquet", n_rows=3)
    broken = tmp_path / "cbs.82807NED_Observations.parquet"
    observations.with_columns(pl.col("Value").cast(pl.String)).write_parquet(broken)
    with pytest.raises(UnexpectedTableError, match="Value holds String"):
        read_working_population(broken)
    observations.write_parquet(broken)
    assert read_working_population(tmp_path)["value"].to_list() == [7771.0, 7782.0, 7809.0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OpenDataNotFoundError, match=r"absent\.csv"):
        read_sick_leave(tmp_path / "absent.csv")


def test_not_a_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sick.csv"
    path.write_text(
        "ID,BedrijfskenmerkenSBI2008,Perioden,Ziekteverzuimpercentage_1\n0,422400 ,2020KW01,n/a\n"
    )
    with pytest.raises(OpenDataError, match="not numbers: 'n/a'"):
        read_sick_leave(path)


def test_series_break_is_dropped_and_unknown_period_refused(tmp_path: Path) -> None:
    path = tmp_path / "sick.csv"
    path.write_text(
        "ID,BedrijfskenmerkenSBI2008,Perioden,Ziekteverzuimpercentage_1\n"
        "0,422400 ,2015X000,5.0\n"
        "1,422400 ,2015KW01, 5.5 \n"
        "2,422400 ,2015MM02,.\n"
    )
    frame = read_sick_leave(path)
    assert frame["period_code"].to_list() == ["2015KW01", "2015MM02"]
    assert frame["value"].to_list() == [5.5, None]
    assert frame["frequency"].to_list() == ["quarter", "month"]
    # no label file beside it: the shared SBI labels still name Q
    assert frame["sector_label"].unique().to_list() == ["Q Gezondheids- en welzijnszorg"]

    path.write_text(
        "ID,BedrijfskenmerkenSBI2008,Perioden,Ziekteverzuimpercentage_1\n0,422400,2015HJ01,5.0\n"
    )
    with pytest.raises(OpenDataError, match=r"unknown period code.*2015HJ01"):
        read_sick_leave(path)


def test_environment_overrides_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(EXTERNAL_ENV, str(tmp_path))
    assert external_dir() == tmp_path
    with pytest.raises(OpenDataNotFoundError, match=str(tmp_path)):
        read_vacancies_by_sector()
