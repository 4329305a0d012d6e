"""Compact keys: codes sort as their text, and people are never merged or split by the key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from tests.marts.test_compute import marts_of
from workforce.marts.codes import Dictionary, person_codes, sort_order


def test_codes_sort_as_the_text_and_decode_back() -> None:
    column = pl.Series("employer_id", ["VVT-10", "GGZ-02", None, "VVT-10", "ZH-01"])
    dictionary = Dictionary.of(column)
    codes = dictionary.encode(column)
    assert dictionary.decode(codes).to_list() == column.to_list()
    order = codes.drop_nulls().arg_sort().to_list()
    assert column.drop_nulls().gather(order).to_list() == sorted(column.drop_nulls().to_list())
    assert dictionary.code_of("ZH-01") == len(dictionary) - 1
    assert dictionary.code_of("absent") is None


def test_a_value_outside_the_dictionary_has_no_code() -> None:
    dictionary = Dictionary.of(pl.Series(["E1", "E2"]))
    assert dictionary.encode(pl.Series(["E2", "E9"])).to_list() == [1, None]


@pytest.mark.parametrize(
    "keys",
    [
        ["00000000000000ff", "ffffffffffffffff", "0123456789abcdef", "00000000000000ff"],
        # longer keys whose first 16 characters are all different: read as a number
        ["0123456789abcdef00", "0123456789abcdf000", "1" * 64, "0123456789abcdef00"],
        # keys sharing their first 16 characters: ranked as text instead
        ["0123456789abcdef00", "0123456789abcdef01", "0123456789abcdef", "0123456789abcdef01"],
        # not lowercase hex (the contract refuses these, the key must still be exact)
        ["ABCDEF0123456789", "abcdef0123456789", "short", "ABCDEF0123456789"],
    ],
)
def test_person_codes_are_equal_exactly_for_equal_keys_and_keep_their_order(
    keys: list[str],
) -> None:
    text = pl.Series("person_key", keys)
    codes = person_codes(text)
    assert codes.dtype == pl.UInt64
    pairs = pl.DataFrame({"key": text, "code": codes})
    assert pairs.n_unique("key") == pairs.n_unique("code") == pairs.n_unique(["key", "code"])
    assert pairs.sort("code")["key"].to_list() == sorted(keys)


def spell(person_key: str, employer: str, start: dt.date, end: dt.date | None) -> dict[str, Any]:
    return {
        "employer_id": employer,
        "person_key": person_key,
        "profession_code": "nurse_vocational",
        "sector_code": "elderly_home_care",
        "municipality_code": "GM0344",
        "start_date": start,
        "end_date": end,
        "contract_hours_week": 24.0,
        "birth_year": 1970,
        "leave_reason": None if end is None else "other_care_employer",
    }


def test_two_people_whose_keys_share_64_bits_are_not_linked() -> None:
    shared = "0123456789abcdef"
    spells = [
        spell(shared + "00", "E1", dt.date(2019, 3, 1), dt.date(2020, 1, 31)),
        spell(shared + "01", "E2", dt.date(2020, 2, 15), None),
        spell("ffffffffffffffff", "E1", dt.date(2019, 3, 1), dt.date(2020, 1, 31)),
        spell("ffffffffffffffff", "E2", dt.date(2020, 2, 15), None),
    ]
    marts = marts_of(spells)
    monthly = marts["workforce_monthly"]
    assert monthly["hires_other_care_employer"].sum() == 1
    assert monthly["leavers_other_care_employer"].sum() == 1
    assert monthly["leavers_care_outside_region"].sum() == 1
    assert marts["mobility"]["moves"].to_list() == [1]
    linked = marts["spells"].filter(pl.col("next_employer_id").is_not_null())
    assert linked["person_key"].to_list() == ["ffffffffffffffff"]


def test_sort_order_equals_a_stable_sort_of_the_columns_nulls_last() -> None:
    frame = pl.DataFrame(
        {
            "person": pl.Series([2**64 - 1, 5, 2**64 - 1, 5, 0, 5], dtype=pl.UInt64),
            "start": [dt.date(2020, 1, 1), dt.date(1960, 5, 5), dt.date(2019, 1, 1)] * 2,
            "employer": pl.Series([3, 1, None, 1, 0, 1], dtype=pl.UInt32),
            "end": [None, dt.date(2021, 1, 1), None, None, dt.date(1999, 1, 1), None],
            "position": range(6),
        }
    )
    for columns in (["person", "start", "employer", "end"], ["employer", "start", "person"]):
        expected = frame.sort(columns, nulls_last=True, maintain_order=True)
        assert frame[sort_order(frame, columns)].equals(expected), columns
    assert sort_order(frame.clear(), ["person", "end"]).len() == 0
