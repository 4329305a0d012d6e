"""Build the recorded CBS OData v3 responses that test the StatLine client without a network.

Source: a real OData v3 export of CBS table 83583NED "Banen van werknemers; bedrijfsgrootte en
economische activiteit (SBI2008)" (CC BY 4.0, "Bron: CBS"), as exported by
``dataverbinders/statline-bq`` @ 8fcc2aa1c875c84fb5e6967585c72d31c700a9d4 ``tests/data/``:
``cbs.v3.83583NED_{TypedDataSet,DataProperties,CategoryGroups,Bedrijfsgrootte,
BedrijfstakkenBranchesSBI2008,Perioden}.parquet`` and ``cbs.v3.83583NED_Metadata.json`` (the
``TableInfos`` record).

What is written to ``statline/83583NED/`` next to this script, one JSON response body per file,
in the OData v3 JSON shape of ``https://opendata.cbs.nl/ODataApi/odata/83583NED/``:

* ``service.json``: the service document (``value`` = entity sets with ``name`` and ``url``).
* ``TableInfos.json``: the metadata record, unchanged.
* ``DataProperties.json``: the 4 properties; fields that are null for a property's type are
  left out (the export had merged all types into one table), ``odata_type`` is ``odata.type``.
* ``CategoryGroups.json``, ``Bedrijfsgrootte.json``, ``Perioden.json``: all rows.
* ``BedrijfstakkenBranchesSBI2008.json``: the 6 care and total keys below (of 124).
* ``TypedDataSet.json``, ``TypedDataSet_skip150.json``, ``TypedDataSet_skip300.json``: the
  360 observations of those 6 sectors (x 6 company sizes x 10 years) in their original order,
  split in pages of 150 rows; every page but the last has an ``odata.nextLink`` to the next
  (CBS itself pages at 10,000 rows). Float32 values are written as their shortest decimal.

Keys keep the padding CBS gives them (``"422400 "``). Every URL in the bodies is absolute on
``https://opendata.cbs.nl/ODataApi/odata``; the test server swaps in its own address.

Run from the repository root: ``.venv/bin/python tests/ingest/recorded/make_statline_recordings.py
[--source DIR]``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

TABLE = "83583NED"
BASE = "https://opendata.cbs.nl/ODataApi/odata"
SECTORS = ["T001081", "422400", "422500", "425300", "425305", "426600"]
PAGE_ROWS = 150
DIMENSIONS = ["BedrijfstakkenBranchesSBI2008", "Bedrijfsgrootte", "Perioden"]
DEFAULT_SOURCE = Path("/work/shared/data/cbs/83583ned")
OUT = Path(__file__).resolve().parent / "statline" / TABLE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    source = parser.parse_args().source
    OUT.mkdir(parents=True, exist_ok=True)

    entity_sets = ["TableInfos", "UntypedDataSet", "TypedDataSet", "DataProperties"]
    entity_sets += ["CategoryGroups", *DIMENSIONS]
    write(
        "service.json",
        {
            "odata.metadata": f"{BASE}/{TABLE}/$metadata",
            "value": [{"name": name, "url": f"{BASE}/{TABLE}/{name}"} for name in entity_sets],
        },
    )
    table_infos = json.loads((source / f"cbs.v3.{TABLE}_Metadata.json").read_text("utf-8"))
    write("TableInfos.json", entity_body("TableInfos", [table_infos]))

    properties = [
        {("odata.type" if key == "odata_type" else key): value for key, value in row.items()}
        for row in parquet(source, "DataProperties").to_dicts()
    ]
    properties = [
        {key: value for key, value in row.items() if value is not None or key == "ParentID"}
        for row in properties
    ]
    write("DataProperties.json", entity_body("DataProperties", properties))
    write("CategoryGroups.json", entity_body("CategoryGroups", parquet(source, "CategoryGroups")))

    sectors = parquet(source, "BedrijfstakkenBranchesSBI2008").filter(
        pl.col("Key").str.strip_chars().is_in(SECTORS)
    )
    write("BedrijfstakkenBranchesSBI2008.json", entity_body(DIMENSIONS[0], sectors))
    for name in DIMENSIONS[1:]:
        write(f"{name}.json", entity_body(name, parquet(source, name)))

    observations = parquet(source, "TypedDataSet").filter(
        pl.col("BedrijfstakkenBranchesSBI2008").str.strip_chars().is_in(SECTORS)
    )
    rows = [shortest_floats(row) for row in observations.to_dicts()]
    for start in range(0, len(rows), PAGE_ROWS):
        body = entity_body("TypedDataSet", rows[start : start + PAGE_ROWS])
        if start + PAGE_ROWS < len(rows):
            body["odata.nextLink"] = (
                f"{BASE}/{TABLE}/TypedDataSet?$format=json&$skip={start + PAGE_ROWS}"
            )
        write("TypedDataSet.json" if start == 0 else f"TypedDataSet_skip{start}.json", body)
    print(f"{len(rows)} observations in {math.ceil(len(rows) / PAGE_ROWS)} pages -> {OUT}")


def parquet(source: Path, entity: str) -> pl.DataFrame:
    return pl.read_parquet(source / f"cbs.v3.{TABLE}_{entity}.parquet")


def entity_body(entity: str, rows: pl.DataFrame | list[dict[str, Any]]) -> dict[str, Any]:
    records = rows.to_dicts() if isinstance(rows, pl.DataFrame) else rows
    return {
        "odata.metadata": f"{BASE}/{TABLE}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": records,
    }


def shortest_floats(row: dict[str, Any]) -> dict[str, Any]:
    """Float32 values as the decimal CBS published (1368.66, not 1368.660034)."""
    return {
        key: float(str(np.float32(value))) if isinstance(value, float) else value
        for key, value in row.items()
    }


def write(name: str, body: dict[str, Any]) -> None:
    text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    (OUT / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
