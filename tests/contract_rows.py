"""One valid row of each raw contract, typed and as the text a file carries."""

from __future__ import annotations

import datetime as dt
from typing import Any

STAFF: dict[str, Any] = {
    "employer_id": "E1",
    "person_key": "3f1c9a7be4d2086c",
    "profession_code": "nurse_vocational",
    "sector_code": "elderly_home_care",
    "municipality_code": "GM0344",
    "start_date": dt.date(2019, 9, 1),
    "end_date": dt.date(2023, 6, 30),
    "contract_hours_week": 28.5,
    "birth_year": 1987,
    "leave_reason": "other_care_employer",
}
VACANCY: dict[str, Any] = {
    "employer_id": "E1",
    "vacancy_id": "V-1",
    "profession_code": "nurse_vocational",
    "municipality_code": "GM0344",
    "hours_week": 32.0,
    "opened_on": dt.date(2024, 2, 12),
    "closed_on": dt.date(2024, 4, 3),
    "outcome": "filled",
}
COHORT: dict[str, Any] = {
    "institution_code": "25LH",
    "programme_code": "25655",
    "level": "MBO4",
    "route": "BOL",
    "municipality_code": "GM0344",
    "cohort_year": 2021,
    "intake": 120,
    "enrolled": 40,
    "graduates": 62,
    "dropouts": 18,
}
POPULATION: dict[str, Any] = {
    "municipality_code": "GM0344",
    "year": 2030,
    "sex": "female",
    "age_from": 75,
    "age_to": 79,
    "kind": "projection",
    "vintage": 2024,
    "persons": 1834.5,
    "persons_lo": 1790.2,
    "persons_hi": 1880.0,
}


def as_text(row: dict[str, Any]) -> dict[str, str]:
    """The row as a CSV file writes it: ISO dates, empty text for missing values."""
    return {name: "" if value is None else str(value) for name, value in row.items()}
