"""Build recorded CBS OData v3 answers in the layout of the population tables.

Two tables, one JSON response body per entity set under ``statline/<ID>/``:

* ``84527NED``: a regional population projection with interval bounds (the 84525NED / 84527NED
  family): dimensions ``Geslacht``, ``Leeftijd``, ``RegioS``, ``Perioden``; topics ``Bevolking``
  (central value), ``Ondergrens prognose-interval`` and ``Bovengrens prognose-interval``, all in
  persons x 1000.
* ``03759NED``: population on 1 January by age and sex (history), with a fourth dimension
  ``BurgerlijkeStaat`` (marital status) whose total the reader must keep, in persons.

The layout (entity sets, keys, titles, padding, units) follows CBS StatLine; the **figures are
made up** for the tests and are not CBS figures. Keys carry CBS's padding (``"3000   "``,
``"NL01  "``); one projection value is ``"."`` (unknown) and one is null, as CBS serves them.
Both tables list totals (sex, age, the country, a province) and an age band that holds others
(``65 jaar of ouder``), which the reader must leave out.

Run from the repository root: ``python tests/ingest/recorded/make_population_recordings.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASE = "https://opendata.cbs.nl/ODataApi/odata"
OUT = Path(__file__).resolve().parent / "statline"
SEXES = [("T001038", "Totaal mannen en vrouwen"), ("3000   ", "Mannen"), ("4000   ", "Vrouwen")]
AGES = [
    ("10000  ", "Totaal"),
    ("70100  ", "0 tot 65 jaar"),
    ("53950  ", "65 tot 75 jaar"),
    ("52053  ", "75 tot 80 jaar"),
    ("52054  ", "80 tot 85 jaar"),
    ("22200  ", "85 jaar of ouder"),
    ("22000  ", "65 jaar of ouder"),
]
REGIONS = [
    ("NL01  ", "Nederland"),
    ("PV26  ", "Utrecht (PV)"),
    ("GM0344", "Utrecht"),
    ("GM0310", "De Bilt"),
]
# Made-up persons per municipality, sex and the five finest bands, in the first year.
BASE_PERSONS = {
    "GM0344": (150_000.0, 9_000.0, 3_500.0, 2_000.0, 1_500.0),
    "GM0310": (30_000.0, 4_500.0, 2_000.0, 1_300.0, 1_100.0),
}


def body(table: str, entity: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "odata.metadata": f"{BASE}/{table}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": rows,
    }


def write(table: str, name: str, payload: dict[str, Any]) -> None:
    folder = OUT / table
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, ensure_ascii=False, indent=1)
    (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")


def codes(rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"Key": key, "Title": title, "Description": ""} for key, title in rows]


def persons(region: str, sex: str, age: str, step: int) -> float:
    """Made-up persons; totals are the sums of their parts, the old grow 4 % a year."""
    regions = [region] if region.startswith("GM") else list(BASE_PERSONS)
    sexes = [sex] if sex.strip() in ("3000", "4000") else ["3000   ", "4000   "]
    fine = {"70100  ": [0], "53950  ": [1], "52053  ": [2], "52054  ": [3], "22200  ": [4]}
    fine |= {"10000  ": [0, 1, 2, 3, 4], "22000  ": [1, 2, 3, 4]}
    total = 0.0
    for r in regions:
        for s in sexes:
            share = 0.48 if s.startswith("3") else 0.52
            for band in fine[age]:
                growth = 1.04**step if band >= 2 else 1.005**step
                total += BASE_PERSONS[r][band] * share * growth
    return total


def make_table(
    table: str,
    title: str,
    periods: list[int],
    topics: list[tuple[str, str, str]],
    extra_dimension: tuple[str, list[tuple[str, str]]] | None = None,
) -> None:
    dimensions = ["Geslacht", "Leeftijd"]
    if extra_dimension:
        dimensions.append(extra_dimension[0])
    dimensions += ["RegioS", "Perioden"]
    write(
        table,
        "service",
        {
            "odata.metadata": f"{BASE}/{table}/$metadata",
            "value": [
                {"name": name, "url": f"{BASE}/{table}/{name}"}
                for name in (
                    "TableInfos",
                    "UntypedDataSet",
                    "TypedDataSet",
                    "DataProperties",
                    "CategoryGroups",
                    *dimensions,
                )
            ],
        },
    )
    write(
        table,
        "TableInfos",
        body(
            table,
            "TableInfos",
            [
                {
                    "ID": 1,
                    "Identifier": table,
                    "Title": title,
                    "ShortTitle": title,
                    "Period": f"{periods[0]}-{periods[-1]}",
                    "Frequency": "Perjaar",
                    "Language": "nl",
                }
            ],
        ),
    )
    properties: list[dict[str, Any]] = []
    for position, name in enumerate(dimensions):
        kind = (
            "TimeDimension"
            if name == "Perioden"
            else "GeoDimension"
            if name == "RegioS"
            else "Dimension"
        )
        properties.append(
            {"odata.type": f"Cbs.OData.{kind}", "ID": position, "Position": position,
             "ParentID": None, "Type": kind, "Key": name, "Title": name, "Description": ""}
        )  # fmt: skip
    for offset, (key, topic_title, unit) in enumerate(topics):
        properties.append(
            {"odata.type": "Cbs.OData.Topic", "ID": len(dimensions) + offset,
             "Position": len(dimensions) + offset, "ParentID": None, "Type": "Topic",
             "Key": key, "Title": topic_title, "Description": "", "Datatype": "Double",
             "Unit": unit, "Decimals": 1}
        )  # fmt: skip
    write(table, "DataProperties", body(table, "DataProperties", properties))
    write(table, "CategoryGroups", body(table, "CategoryGroups", []))
    write(table, "Geslacht", body(table, "Geslacht", codes(SEXES)))
    write(table, "Leeftijd", body(table, "Leeftijd", codes(AGES)))
    write(table, "RegioS", body(table, "RegioS", codes(REGIONS)))
    write(
        table,
        "Perioden",
        body(table, "Perioden", codes([(f"{year}JJ00", str(year)) for year in periods])),
    )
    if extra_dimension:
        write(table, extra_dimension[0], body(table, extra_dimension[0], codes(extra_dimension[1])))
    rows = []
    extra_keys = extra_dimension[1] if extra_dimension else [(None, None)]
    for sex, _ in SEXES:
        for age, _ in AGES:
            for extra, _ in extra_keys:
                for region, _ in REGIONS:
                    for step, year in enumerate(periods):
                        row: dict[str, Any] = {"ID": len(rows), "Geslacht": sex, "Leeftijd": age}
                        if extra_dimension:
                            row[extra_dimension[0]] = extra
                        row |= {"RegioS": region, "Perioden": f"{year}JJ00"}
                        value = persons(region, sex, age, step)
                        if extra_dimension and extra != extra_dimension[1][0][0]:
                            value = value * 0.5  # the parts of the marital-status total
                        for key, _, unit in topics:
                            factor = 1000.0 if "1 000" in unit else 1.0
                            spread = {"Ondergrens": 0.97, "Bovengrens": 1.03}
                            bound = next((v for k, v in spread.items() if k in key), 1.0)
                            row[key] = round(
                                value * bound * (1 + 0.01 * step * (bound - 1)) / factor, 3
                            )
                        rows.append(row)
    write(table, "TypedDataSet", body(table, "TypedDataSet", rows))


def main() -> None:
    make_table(
        "84527NED",
        "Prognose bevolking; geslacht, leeftijd en regio, 2024-2050 (prognose-intervallen)",
        [2024, 2025, 2026],
        [
            ("Bevolking_1", "Bevolking", "x 1 000"),
            ("OndergrensPrognoseInterval_2", "Ondergrens prognose-interval", "x 1 000"),
            ("BovengrensPrognoseInterval_3", "Bovengrens prognose-interval", "x 1 000"),
        ],
    )
    path = OUT / "84527NED" / "TypedDataSet.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    for row in payload["value"]:
        # One unknown value as CBS prints it, one missing value.
        if (row["Geslacht"], row["Leeftijd"], row["RegioS"], row["Perioden"]) == (
            "4000   ", "22200  ", "GM0310", "2026JJ00",
        ):  # fmt: skip
            row["Bevolking_1"] = "."
        if (row["Geslacht"], row["Leeftijd"], row["RegioS"], row["Perioden"]) == (
            "3000   ", "52054  ", "GM0310", "2026JJ00",
        ):  # fmt: skip
            row["Bevolking_1"] = None
    write("84527NED", "TypedDataSet", payload)
    make_table(
        "03759NED",
        "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
        [2022, 2023],
        [("BevolkingOp1Januari_1", "Bevolking op 1 januari", "aantal")],
        (
            "BurgerlijkeStaat",
            [
                ("T001019", "Totaal burgerlijke staat"),
                ("1010   ", "Ongehuwd"),
                ("1020   ", "Gehuwd"),
            ],
        ),
    )


if __name__ == "__main__":
    main()
