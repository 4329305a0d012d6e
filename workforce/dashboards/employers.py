"""Employers by a Dutch label instead of their code: "VVT-instelling 04", "Ziekenhuis 02".

The extracts name an employer by its code only. A page shows the kind of organisation its
sector stands for and a number within that sector (by code), so that a board reads "GGZ-instelling
03" rather than "GGZ-03"; the code stays in the chart's hover text. An employer whose sector is
unknown is "Werkgever <code>".
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workforce.dashboards.format import Language
from workforce.store import Store

_NL, _EN = Language.nl, Language.en

KINDS: dict[str, dict[Language, str]] = {
    "umc": {_NL: "Universitair medisch centrum", _EN: "University medical centre"},
    "hospitals": {_NL: "Ziekenhuis", _EN: "Hospital"},
    "mental_health": {_NL: "GGZ-instelling", _EN: "Mental health provider"},
    "general_practice": {_NL: "Huisartsenorganisatie", _EN: "General practice"},
    "other_care_welfare": {_NL: "Zorg- en welzijnsorganisatie", _EN: "Care organisation"},
    "elderly_home_care": {_NL: "VVT-instelling", _EN: "Elderly care provider"},
    "disability_care": {_NL: "Gehandicaptenzorginstelling", _EN: "Disability care provider"},
    "youth_care": {_NL: "Jeugdzorginstelling", _EN: "Youth care provider"},
    "social_work": {_NL: "Welzijnsorganisatie", _EN: "Social work organisation"},
    "childcare": {_NL: "Kinderopvangorganisatie", _EN: "Childcare organisation"},
}
"""The kind of organisation each sector's employers are, by sector code."""
EMPLOYER = {_NL: "Werkgever", _EN: "Employer"}


def read_employer_sectors(data_dir: Path) -> pl.DataFrame:
    """``employer_id, sector_code``: each employer's sector (the one most of its rows carry) in
    the ``workforce_monthly`` mart; empty when the mart is missing or unreadable."""
    empty = pl.DataFrame(schema={"employer_id": pl.String, "sector_code": pl.String})
    path = Store(data_dir).mart_path("workforce_monthly")
    if not path.is_file():
        return empty
    try:
        return (
            pl.scan_parquet(path)
            .group_by("employer_id", "sector_code")
            .agg(rows=pl.len())
            .sort("employer_id", "rows", "sector_code", descending=[False, True, False])
            .unique("employer_id", keep="first", maintain_order=True)
            .select(pl.col("employer_id").cast(pl.String), pl.col("sector_code").cast(pl.String))
            .collect()
        )
    except (OSError, pl.exceptions.PolarsError):
        return empty


def employer_labels(sectors: pl.DataFrame, language: Language = Language.nl) -> dict[str, str]:
    """Every employer's label: the kind of its sector and its number there, two digits ("VVT-
    instelling 04"); no number for the only employer of its sector."""
    labels: dict[str, str] = {}
    for (sector,), part in sectors.sort("employer_id").group_by("sector_code", maintain_order=True):
        kind = KINDS.get(str(sector))
        employers = part["employer_id"].to_list()
        for number, employer in enumerate(employers, start=1):
            if kind is None:
                labels[employer] = f"{EMPLOYER[language]} {employer}"
            elif len(employers) == 1:
                labels[employer] = kind[language]
            else:
                labels[employer] = f"{kind[language]} {number:02d}"
    return labels


def employer_label(labels: dict[str, str], employer: str, language: Language) -> str:
    """The label of ``employer`` ("Werkgever <code>" when it has none)."""
    return labels.get(employer) or f"{EMPLOYER[language]} {employer}"
