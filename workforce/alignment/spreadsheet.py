"""Downloads a Dutch Excel opens as a table: semicolons, decimal commas, Dutch headers.

Dutch Excel reads a ``.csv`` with ``;`` between fields and ``,`` as the decimal sign, and needs a
byte-order mark to read UTF-8 (otherwise "Diëtist" shows as "DiÃ«tist"). Counts of people are
whole numbers; shares are percentages with one decimal; formula-like text is neutralised
(:mod:`workforce.csv_safety`). Every column of the table is kept.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import polars as pl

from workforce.alignment.advice import Advice
from workforce.csv_safety import neutralise, write_excel
from workforce.language import Language

BOM = "\ufeff".encode()

ADVICE_HEADERS: dict[str, dict[Language, str]] = {
    "rank": {Language.nl: "Rang", Language.en: "Rank"},
    "route": {Language.nl: "Route", Language.en: "Route"},
    "programme_code": {Language.nl: "Opleidingscode", Language.en: "Programme code"},
    "programme_name": {Language.nl: "Opleiding", Language.en: "Programme"},
    "code_system": {Language.nl: "Codestelsel", Language.en: "Code system"},
    "level": {Language.nl: "Niveau", Language.en: "Level"},
    "institution_code": {Language.nl: "Instellingscode (BRIN)", Language.en: "Institution code"},
    "institution_name": {Language.nl: "Instelling", Language.en: "Institution"},
    "profession_code": {Language.nl: "Beroepscode", Language.en: "Profession code"},
    "profession_name": {Language.nl: "Beroep", Language.en: "Profession"},
    "horizon_year": {Language.nl: "Horizonjaar", Language.en: "Horizon year"},
    "gap_persons": {Language.nl: "Tekort beroep (personen)", Language.en: "Profession gap"},
    "needed_persons": {Language.nl: "Nodig via deze opleiding", Language.en: "Needed here"},
    "completion": {Language.nl: "Diplomarendement (%)", Language.en: "Completion (%)"},
    "entering_share": {Language.nl: "Instroom in beroep (%)", Language.en: "Entering (%)"},
    "entry_source": {Language.nl: "Bron instroomaandeel", Language.en: "Entry share source"},
    "retention": {Language.nl: "Behoud in regio (%)", Language.en: "Retention (%)"},
    "nominal_years": {Language.nl: "Opleidingsduur (jaar)", Language.en: "Duration (years)"},
    "first_cohort": {Language.nl: "Eerste cohort", Language.en: "First cohort"},
    "current_intake": {Language.nl: "Huidige instroom", Language.en: "Current intake"},
    "extra_intake_per_year": {Language.nl: "Extra instroom per jaar", Language.en: "Extra intake"},
    "extra_intake_per_year_lo_80": {
        Language.nl: "Extra instroom, 80%-interval laag",
        Language.en: "Extra intake, 80% low",
    },
    "extra_intake_per_year_hi_80": {
        Language.nl: "Extra instroom, 80%-interval hoog",
        Language.en: "Extra intake, 80% high",
    },
    "extra_intake_pct": {Language.nl: "Extra instroom (%)", Language.en: "Extra intake (%)"},
    "first_year_extra_intake": {
        Language.nl: "Extra instroom eerste jaar",
        Language.en: "Extra intake first year",
    },
    "placement_cap_per_year": {
        Language.nl: "Stageplaatsen-grens per jaar",
        Language.en: "Placement cap per year",
    },
    "delivered_persons": {Language.nl: "Geleverd (personen)", Language.en: "Delivered"},
    "remaining_gap_persons": {
        Language.nl: "Resterend tekort (personen)",
        Language.en: "Remaining gap",
    },
    "earliest_year": {Language.nl: "Onderwijs sluit het in", Language.en: "Education closes it in"},
    "feasibility": {Language.nl: "Haalbaarheid", Language.en: "Feasibility (NL)"},
    "feasibility_en": {Language.nl: "Haalbaarheid (Engels)", Language.en: "Feasibility"},
    "advice_nl": {Language.nl: "Advies", Language.en: "Advice (NL)"},
    "advice_en": {Language.nl: "Advies (Engels)", Language.en: "Advice"},
    "assumptions": {Language.nl: "Aannames", Language.en: "Assumptions"},
}
"""Headers of the advice table's columns, per language."""

ADVICE_COUNTS = (
    "rank",
    "horizon_year",
    "gap_persons",
    "needed_persons",
    "nominal_years",
    "first_cohort",
    "current_intake",
    "extra_intake_per_year",
    "extra_intake_per_year_lo_80",
    "extra_intake_per_year_hi_80",
    "first_year_extra_intake",
    "placement_cap_per_year",
    "delivered_persons",
    "remaining_gap_persons",
    "earliest_year",
)
"""Whole numbers: people, students, years."""

ADVICE_SHARES = ("completion", "entering_share", "retention", "extra_intake_pct")
"""Fractions, written as percentages."""


def spreadsheet_csv(
    table: pl.DataFrame,
    *,
    headers: Mapping[str, Mapping[Language, str]],
    counts: tuple[str, ...] = (),
    shares: tuple[str, ...] = (),
    language: Language = Language.nl,
    digits: int = 1,
) -> bytes:
    """``table`` as a CSV for Excel in ``language``: Dutch uses ``;`` and a decimal comma.

    ``counts`` are rounded to whole numbers, ``shares`` (fractions) written as percentages with
    ``digits`` decimals, other decimals with ``digits`` decimals; columns without a header keep
    their name.
    """
    frame = _counts_and_shares(table, counts, shares, digits)
    floats = [c for c, dtype in frame.schema.items() if dtype.is_float()]
    frame = frame.with_columns(pl.col(c).fill_nan(None).round(digits) for c in floats)
    frame = neutralise(frame).rename(
        {c: headers[c][language] for c in frame.columns if c in headers}
    )
    buffer = io.BytesIO()
    dutch = language is Language.nl
    frame.write_csv(
        buffer,
        separator=";" if dutch else ",",
        decimal_comma=dutch,
        float_precision=digits,
        quote_style="necessary",
    )
    return BOM + buffer.getvalue()


def _counts_and_shares(
    table: pl.DataFrame, counts: tuple[str, ...], shares: tuple[str, ...], digits: int
) -> pl.DataFrame:
    """Counts as whole numbers, fractions as percentages with ``digits`` decimals."""
    return table.with_columns(
        *(
            pl.col(c).cast(pl.Float64).fill_nan(None).round(0).cast(pl.Int64)
            for c in counts
            if c in table.columns
        ),
        *((pl.col(c) * 100).round(digits) for c in shares if c in table.columns),
    )


ADVICE_VALUES: dict[str, dict[Language, dict[str, str]]] = {
    "route": {
        Language.nl: {"initial": "opleiding", "post-initial": "vervolgopleiding"},
        Language.en: {"initial": "programme", "post-initial": "specialist training"},
    },
    "entry_source": {
        Language.nl: {
            "observed": "waargenomen in de regio",
            "reference": "landelijke referentie",
            "route": "opleidingsroute",
        },
        Language.en: {
            "observed": "observed in the region",
            "reference": "national reference",
            "route": "training route",
        },
    },
}
"""Coded values of the advice table, said in words."""


def readable_advice(table: pl.DataFrame, language: Language = Language.nl) -> pl.DataFrame:
    """The advice table with its coded values in words and each profession's name beside its
    code, for a reader of the file."""
    from workforce.reference import load_reference

    names = load_reference().professions.select(
        "profession_code", profession_name=f"name_{language.value}"
    )
    table = table.with_columns(
        pl.col(column).replace(values[language])
        for column, values in ADVICE_VALUES.items()
        if column in table.columns
    )
    if "profession_code" not in table.columns:
        return table
    order = list(table.columns)
    order.insert(order.index("profession_code") + 1, "profession_name")
    return table.join(names, on="profession_code", how="left", maintain_order="left").select(order)


def advice_csv(table: pl.DataFrame, language: Language = Language.nl) -> bytes:
    """The advice table as a CSV that Dutch (or English) Excel opens as columns."""
    return spreadsheet_csv(
        readable_advice(table, language),
        headers=ADVICE_HEADERS,
        counts=ADVICE_COUNTS,
        shares=ADVICE_SHARES,
        language=language,
    )


def advice_xlsx(advice: Advice, language: Language = Language.nl) -> bytes:
    """The advice as an Excel workbook: the ranked table with headers in ``language`` (counts
    whole, shares as percentages), then the detail per cohort year and the gaps per profession."""
    import xlsxwriter

    readable = readable_advice(advice.table, language)
    table = _counts_and_shares(readable, ADVICE_COUNTS, ADVICE_SHARES, 1).rename(
        {c: ADVICE_HEADERS[c][language] for c in readable.columns if c in ADVICE_HEADERS}
    )
    sheets = {
        "advies" if language is Language.nl else "advice": table,
        "per cohortjaar" if language is Language.nl else "by cohort year": advice.by_year,
        "tekort per beroep" if language is Language.nl else "gap per profession": advice.gaps,
    }
    if advice.destinations is not None:
        sheets["bestemmingen" if language is Language.nl else "destinations"] = advice.destinations
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        for name, frame in sheets.items():
            write_excel(frame, workbook, worksheet=name, autofit=True)
    return buffer.getvalue()
