"""Contracts of what the stages write: marts, forecasts, the outlook, regional outputs, open data.

(Long because it lists every column of every output frame; the code is the checks at the end.)

The raw sources have their contracts in :mod:`workforce.schemas`; this module covers every frame
the pipeline produces. A contract lists each column with its kind: a key (never empty), text, a
date, a flag, an integer, a count (an integer never below zero), a number, or an amount (a number
never below zero). Integer and number kinds accept any width (``UInt32`` and ``Int64`` alike), so
a harmless change of type inside a stage does not break its readers; columns beyond the contract
are allowed.

Where rows are checked:

- **when written** (:func:`workforce.store.write_frame`), names, types and values: the frame is
  in memory then, so the value checks cost one pass over data just computed;
- **when read** (:meth:`workforce.store.Store.read_mart` and the other readers), names and types
  only, from the Parquet footer: a stale or hand-edited file fails before any row is read.

Both raise :class:`ContractError` with one line naming the file and the column.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from workforce.store import StoreError

if TYPE_CHECKING:  # pandera (and pandas under it) load only when values are checked
    import pandera.polars as pa


class ContractError(StoreError):
    """A frame or file does not match its contract; the message names file and column."""


@dataclass(frozen=True)
class Kind:
    """What a column holds."""

    family: str  # text | date | flag | integer | number
    nullable: bool = True
    non_negative: bool = False

    def accepts(self, dtype: pl.DataType) -> bool:
        """Whether a column of ``dtype`` has this kind's type (an all-empty column, if nullable)."""
        if dtype == pl.Null:
            return self.nullable
        if self.family == "text":
            return dtype in (pl.String, pl.Categorical, pl.Enum) or isinstance(
                dtype, pl.Categorical | pl.Enum
            )
        if self.family == "date":
            return dtype == pl.Date
        if self.family == "flag":
            return dtype == pl.Boolean
        if self.family == "integer":
            return dtype.is_integer()
        return dtype.is_numeric()

    def describe(self) -> str:
        """The kind in words, for messages."""
        words = {"text": "text", "date": "a date", "flag": "true/false", "integer": "an integer"}
        return words.get(self.family, "a number")


KEY_TEXT = Kind("text", nullable=False)
KEY_DATE = Kind("date", nullable=False)
KEY_INTEGER = Kind("integer", nullable=False)
TEXT = Kind("text")
DATE = Kind("date")
FLAG = Kind("flag")
INTEGER = Kind("integer")
COUNT = Kind("integer", non_negative=True)
NUMBER = Kind("number")
AMOUNT = Kind("number", non_negative=True)

AREA_OR_REGION = TEXT
"""``region_code`` of a forecast node: null on the nodes of all regions together."""

Contract = dict[str, Kind]

MART_CONTRACTS = {
    "staff_residence": {
        "month": KEY_DATE,
        "work_region_code": KEY_TEXT,
        "residence_municipality_code": KEY_TEXT,
        "persons": COUNT,
        "suppressed": FLAG,
    },
    "commuting": {
        "month": KEY_DATE,
        "work_region_code": KEY_TEXT,
        "residence_region_code": KEY_TEXT,
        "persons": COUNT,
        "suppressed": FLAG,
    },
    "population": {
        "year": KEY_INTEGER,
        "municipality_code": KEY_TEXT,
        "region_code": TEXT,
        "sex": KEY_TEXT,
        "age": KEY_TEXT,
        "age_from": KEY_INTEGER,
        "age_to": INTEGER,
        "kind": KEY_TEXT,
        "vintage": INTEGER,
        "persons": AMOUNT,
        "persons_lo": AMOUNT,
        "persons_hi": AMOUNT,
    },
    "demand": {
        "month": KEY_DATE,
        "region_code": KEY_TEXT,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "filled_fte": AMOUNT,
        "open_vacancy_fte": AMOUNT,
        "required_fte": AMOUNT,
        "headcount": COUNT,
        "open_vacancies": COUNT,
        "employers": COUNT,
    },
    "education_pipeline": {
        "cohort_year": KEY_INTEGER,
        "programme_code": KEY_TEXT,
        "institution_code": KEY_TEXT,
        "level": KEY_TEXT,
        "intake": COUNT,
        "enrolled": COUNT,
        "graduates": COUNT,
        "dropouts": COUNT,
        "finished": FLAG,
        "completion_rate": AMOUNT,
        "projected_completion_rate": AMOUNT,
        "expected_graduates": AMOUNT,
        "expected_graduation_year": INTEGER,
    },
    "graduations": {
        "cohort_year": KEY_INTEGER,
        "programme_code": KEY_TEXT,
        "institution_code": KEY_TEXT,
        "level": TEXT,
        "graduation_year": KEY_INTEGER,
        "expected_graduates": AMOUNT,
    },
    "mobility": {
        "quarter": KEY_DATE,
        "from_employer_id": KEY_TEXT,
        "from_sector_code": TEXT,
        "to_employer_id": KEY_TEXT,
        "to_sector_code": TEXT,
        "profession_code": TEXT,
        "to_profession_code": TEXT,
        "moves": COUNT,
    },
    "spells": {
        "person_key": KEY_TEXT,
        "employer_id": KEY_TEXT,
        "sector_code": TEXT,
        "municipality_code": TEXT,
        "region_code": KEY_TEXT,
        "profession_code": TEXT,
        "start_date": DATE,
        "end_date": DATE,
        "contract_hours_week": NUMBER,
        "birth_year": INTEGER,
        "hire_origin": TEXT,
        "leaver_destination": TEXT,
        "previous_employer_id": TEXT,
        "next_employer_id": TEXT,
        "next_sector_code": TEXT,
        "next_profession_code": TEXT,
        "next_start_date": DATE,
        "first_month": DATE,
        "last_month": DATE,
    },
    "vacancies_monthly": {
        "month": KEY_DATE,
        "employer_id": KEY_TEXT,
        "profession_code": TEXT,
        "municipality_code": TEXT,
        "open": COUNT,
        "open_fte": AMOUNT,
        "opened": COUNT,
        "filled": COUNT,
        "withdrawn": COUNT,
        "hard_to_fill": COUNT,
        "mean_days_open": AMOUNT,
        "median_days_to_fill": AMOUNT,
    },
    "workforce_monthly": {
        "month": KEY_DATE,
        "employer_id": KEY_TEXT,
        "sector_code": TEXT,
        "municipality_code": TEXT,
        "profession_code": TEXT,
        "headcount": COUNT,
        "fte": AMOUNT,
        "hires": COUNT,
        "hires_internal": COUNT,
        "hires_other_care_employer": COUNT,
        "hires_education": COUNT,
        "hires_outside": COUNT,
        "leavers": COUNT,
        "leavers_internal": COUNT,
        "leavers_other_care_employer": COUNT,
        "leavers_care_outside_region": COUNT,
        "leavers_outside_sector": COUNT,
        "leavers_retirement": COUNT,
        "leavers_unknown": COUNT,
        "headcount_15_24": COUNT,
        "headcount_25_34": COUNT,
        "headcount_35_44": COUNT,
        "headcount_45_54": COUNT,
        "headcount_55_59": COUNT,
        "headcount_60_64": COUNT,
        "headcount_65_plus": COUNT,
    },
}

FORECAST_CONTRACTS = {
    "decomposition": {
        "node_id": KEY_TEXT,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "resolution": KEY_TEXT,
        "month": KEY_DATE,
        "horizon": INTEGER,
        "shortage_start_fte": NUMBER,
        "demand_growth_fte": NUMBER,
        "retirements_fte": NUMBER,
        "leavers_fte": NUMBER,
        "graduates_fte": NUMBER,
        "other_inflow_fte": NUMBER,
        "hours_fte": NUMBER,
        "shortage_fte": NUMBER,
    },
    "demand": {
        "unique_id": KEY_TEXT,
        "ds": KEY_DATE,
        "model": KEY_TEXT,
        "yhat": NUMBER,
        "yhat_lo_80": NUMBER,
        "yhat_hi_80": NUMBER,
        "yhat_lo_95": NUMBER,
        "yhat_hi_95": NUMBER,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
    },
    "demand_reconciled": {
        "node_id": KEY_TEXT,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "resolution": KEY_TEXT,
        "month": KEY_DATE,
        "horizon": INTEGER,
        "yhat": NUMBER,
        "yhat_lo_80": NUMBER,
        "yhat_hi_80": NUMBER,
        "yhat_lo_95": NUMBER,
        "yhat_hi_95": NUMBER,
    },
    "shortage": {
        "node_id": KEY_TEXT,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "resolution": KEY_TEXT,
        "month": KEY_DATE,
        "horizon": INTEGER,
        "demand_fte": AMOUNT,
        "supply_fte": AMOUNT,
        "shortage_fte": NUMBER,
        "shortage_fte_p50": NUMBER,
        "shortage_fte_lo_80": NUMBER,
        "shortage_fte_hi_80": NUMBER,
        "shortage_fte_lo_95": NUMBER,
        "shortage_fte_hi_95": NUMBER,
        "shortage_persons": NUMBER,
        "shortage_persons_p50": NUMBER,
        "shortage_persons_lo_80": NUMBER,
        "shortage_persons_hi_80": NUMBER,
        "shortage_persons_lo_95": NUMBER,
        "shortage_persons_hi_95": NUMBER,
        "shortage_share": NUMBER,
        "probability_shortage": NUMBER,
        "tension_ratio": AMOUNT,
        "tension_band": TEXT,
    },
    "supply": {
        "node_id": KEY_TEXT,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "resolution": KEY_TEXT,
        "month": KEY_DATE,
        "horizon": INTEGER,
        "headcount": AMOUNT,
        "headcount_p50": AMOUNT,
        "headcount_lo_80": NUMBER,
        "headcount_hi_80": AMOUNT,
        "headcount_lo_95": NUMBER,
        "headcount_hi_95": AMOUNT,
        "fte": AMOUNT,
        "fte_p50": AMOUNT,
        "fte_lo_80": NUMBER,
        "fte_hi_80": AMOUNT,
        "fte_lo_95": NUMBER,
        "fte_hi_95": AMOUNT,
    },
}

OUTLOOK_CONTRACTS = {
    "cohorts": {
        "programme_code": KEY_TEXT,
        "institution_code": KEY_TEXT,
        "level": KEY_TEXT,
        "cohort_year": KEY_INTEGER,
        "intake": AMOUNT,
        "graduation_year": INTEGER,
        "graduates": AMOUNT,
        "dropouts": AMOUNT,
        "future": FLAG,
    },
    "nodes": {
        "node_id": KEY_TEXT,
        "level": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
    },
    "series": {
        "unique_id": KEY_TEXT,
        "region_code": AREA_OR_REGION,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "fte_per_person": AMOUNT,
    },
}

REGIONAL_CONTRACTS = {
    "benchmarks": {
        "metric": TEXT,
        "employer_id": KEY_TEXT,
        "value": AMOUNT,
        "people": COUNT,
        "suppressed": FLAG,
    },
    "employer_flows": {
        "source_id": TEXT,
        "target_id": TEXT,
        "moves": COUNT,
        "suppressed": FLAG,
    },
    "employer_regions": {
        "employer_id": KEY_TEXT,
        "region_code": TEXT,
    },
    "employer_net_flows": {
        "direction": TEXT,
        "employer_id": KEY_TEXT,
        "moves": COUNT,
        "suppressed": FLAG,
    },
    "flex_pool": {
        "profession_code": TEXT,
        "units": COUNT,
        "months": COUNT,
        "separate_fte": AMOUNT,
        "pooled_fte": AMOUNT,
        "pooling_gain_fte": AMOUNT,
        "pooling_gain_share": AMOUNT,
        "coverage": AMOUNT,
    },
    "kpis": {
        "period": KEY_DATE,
        "period_type": TEXT,
        "months": COUNT,
        "sector_code": TEXT,
        "profession_code": TEXT,
        "headcount": COUNT,
        "fte": AMOUNT,
        "avg_headcount": AMOUNT,
        "contract_hours_avg": NUMBER,
        "hires": COUNT,
        "hires_internal": COUNT,
        "hires_other_care_employer": COUNT,
        "hires_education": COUNT,
        "hires_outside": COUNT,
        "leavers": COUNT,
        "leavers_internal": COUNT,
        "leavers_other_care_employer": COUNT,
        "leavers_care_outside_region": COUNT,
        "leavers_outside_sector": COUNT,
        "leavers_retirement": COUNT,
        "leavers_unknown": COUNT,
        "hires_new_to_region": COUNT,
        "regional_leavers": COUNT,
        "internal_moves": COUNT,
        "turnover_rate": AMOUNT,
        "internal_mobility_rate": AMOUNT,
        "stay_in_region_share": AMOUNT,
        "open": COUNT,
        "open_fte": AMOUNT,
        "hard_to_fill": COUNT,
        "opened": COUNT,
        "filled": COUNT,
        "withdrawn": COUNT,
        "vacancy_rate": AMOUNT,
        "vacancy_rate_fte": AMOUNT,
        "hard_to_fill_share": AMOUNT,
        "median_days_to_fill": AMOUNT,
        "share_55_plus": AMOUNT,
        "headcount_15_24": COUNT,
        "headcount_25_34": COUNT,
        "headcount_35_44": COUNT,
        "headcount_45_54": COUNT,
        "headcount_55_59": COUNT,
        "headcount_60_64": COUNT,
        "headcount_65_plus": COUNT,
        "suppressed": FLAG,
    },
    "pooled_vacancies": {
        "employer_id": KEY_TEXT,
        "profession_code": TEXT,
        "headcount": COUNT,
        "fte": AMOUNT,
        "open": COUNT,
        "open_fte": AMOUNT,
        "suppressed": FLAG,
        "vacancy_rate": AMOUNT,
        "vacancy_rate_fte": AMOUNT,
    },
    "retention": {
        "cohort_year": KEY_INTEGER,
        "cohort": TEXT,
        "profession_code": TEXT,
        "hires": COUNT,
        "observed_12": COUNT,
        "retained_12": COUNT,
        "retention_12": AMOUNT,
        "observed_24": COUNT,
        "retained_24": COUNT,
        "retention_24": AMOUNT,
        "suppressed": FLAG,
    },
    "retirement_wave": {
        "year": KEY_INTEGER,
        "profession_code": TEXT,
        "reaching_pension_age": COUNT,
        "stock": COUNT,
        "share_of_stock": AMOUNT,
        "cumulative": COUNT,
        "cumulative_share": AMOUNT,
        "suppressed": FLAG,
    },
    "sankey_employer_links": {
        "source": INTEGER,
        "target": INTEGER,
        "value": COUNT,
    },
    "sankey_employer_nodes": {
        "index": INTEGER,
        "node_id": KEY_TEXT,
        "side": TEXT,
        "label": TEXT,
    },
    "sankey_sector_links": {
        "source": INTEGER,
        "target": INTEGER,
        "value": COUNT,
    },
    "sankey_sector_nodes": {
        "index": INTEGER,
        "node_id": KEY_TEXT,
        "side": TEXT,
        "label": TEXT,
    },
    "sector_flows": {
        "source_id": TEXT,
        "target_id": TEXT,
        "moves": COUNT,
        "suppressed": FLAG,
    },
    "sector_net_flows": {
        "sector_code": TEXT,
        "gained": COUNT,
        "lost": COUNT,
        "net": INTEGER,
    },
    "sick_leave": {
        "period": KEY_DATE,
        "sector_code": TEXT,
        "sbi_label": TEXT,
        "sick_leave_pct": AMOUNT,
    },
}

OPEN_DATA_CONTRACTS = {
    "vacancies_by_sector": {
        "period": KEY_DATE,
        "period_code": TEXT,
        "frequency": TEXT,
        "sector_key": KEY_TEXT,
        "sector_label": TEXT,
        "measure": KEY_TEXT,
        "value": AMOUNT,
        "unit": TEXT,
    },
    "regional_vacancies": {
        "period": KEY_DATE,
        "period_code": TEXT,
        "frequency": TEXT,
        "region_key": TEXT,
        "region_label": TEXT,
        "sector_key": KEY_TEXT,
        "sector_label": TEXT,
        "measure": KEY_TEXT,
        "value": AMOUNT,
        "unit": TEXT,
    },
    "sick_leave": {
        "period": KEY_DATE,
        "period_code": TEXT,
        "frequency": TEXT,
        "sector_key": KEY_TEXT,
        "sector_label": TEXT,
        "measure": KEY_TEXT,
        "value": AMOUNT,
        "unit": TEXT,
    },
    "working_population": {
        "period": KEY_DATE,
        "period_code": TEXT,
        "frequency": TEXT,
        "sector_key": KEY_TEXT,
        "sector_label": TEXT,
        "person_characteristic_key": TEXT,
        "person_characteristic_label": TEXT,
        "sex_key": TEXT,
        "sex_label": TEXT,
        "measure": KEY_TEXT,
        "value": AMOUNT,
        "unit": TEXT,
    },
    "hbo_enrolments": {
        "year": KEY_INTEGER,
        "institution_code": KEY_TEXT,
        "institution_name": TEXT,
        "municipality_code": TEXT,
        "municipality_name": TEXT,
        "province": TEXT,
        "programme_code": KEY_TEXT,
        "programme_name": TEXT,
        "degree": TEXT,
        "croho_sector": TEXT,
        "route": TEXT,
        "sex": TEXT,
        "enrolled": COUNT,
    },
}

CONTRACTS: dict[str, dict[str, Contract]] = {
    "mart": MART_CONTRACTS,
    "forecast": FORECAST_CONTRACTS,
    "outlook": OUTLOOK_CONTRACTS,
    "regional": REGIONAL_CONTRACTS,
    "open data": OPEN_DATA_CONTRACTS,
}
"""Contracts by group, then by frame name: ``"mart demand"`` is ``CONTRACTS["mart"]["demand"]``."""


def contract_for(what: str) -> Contract | None:
    """The contract named ``"<group> <name>"`` (``"mart demand"``), or ``None`` if there is none."""
    for group, contracts in CONTRACTS.items():
        if what.startswith(group + " "):
            return contracts.get(what.removeprefix(group + " "))
    return None


def check_schema(schema: dict[str, pl.DataType], what: str, *, source: Path | str) -> None:
    """Column names and types against ``what``'s contract; raise :class:`ContractError`."""
    contract = contract_for(what)
    if contract is None:
        return
    for name, kind in contract.items():
        if name not in schema:
            raise ContractError(
                f"{source}: column {name} is missing (the {what} contract expects it; "
                "rebuild the file with the command that writes it)"
            )
        if not kind.accepts(schema[name]):
            raise ContractError(
                f"{source}: column {name} holds {schema[name]}, expected {kind.describe()} "
                f"(the {what} contract)"
            )


def check_frame(frame: pl.DataFrame, what: str, *, source: Path | str) -> None:
    """Names, types and values of ``frame`` against ``what``'s contract."""
    contract = contract_for(what)
    if contract is None:
        return
    check_schema(dict(frame.schema), what, source=source)
    from pandera.errors import SchemaError, SchemaErrors

    try:
        _value_schema(what).validate(frame, lazy=True)
    except SchemaErrors as errors:
        raise ContractError(_first_failure(errors.failure_cases, what, source)) from None
    except SchemaError as error:
        raise ContractError(f"{source}: {error} (the {what} contract)") from None


@functools.cache
def _value_schema(what: str) -> pa.DataFrameSchema:
    import pandera.polars as pa

    contract = contract_for(what) or {}
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                None,
                nullable=kind.nullable,
                checks=[pa.Check.ge(0, error="below zero")] if kind.non_negative else [],
                required=True,
            )
            for name, kind in contract.items()
            if not kind.nullable or kind.non_negative
        },
        strict=False,
    )


def _first_failure(cases: pl.DataFrame, what: str, source: Path | str) -> str:
    first = cases.row(0, named=True)
    column = first.get("column")
    check = str(first.get("check"))
    rows = cases.filter(pl.col("column") == column).height
    if "not_nullable" in check:
        problem = "is empty"
    elif "below zero" in check:
        problem = "is below zero"
    else:
        problem = f"fails {check}"
    where = f"row {first['index']}" if first.get("index") is not None else "a row"
    value = first.get("failure_case")
    shown = f" (value {value})" if value is not None and "not_nullable" not in check else ""
    return (
        f"{source}: column {column} {problem} in {rows:,} row(s), first at {where}{shown}; "
        f"the {what} contract does not allow it"
    )
