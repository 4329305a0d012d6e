"""Downloads a Dutch Excel opens as a table: semicolons, decimal commas, Dutch headers.

Dutch Excel reads a ``.csv`` with ``;`` between fields and ``,`` as the decimal sign, and needs a
byte-order mark to read UTF-8 (otherwise "Diëtist" shows as "DiÃ«tist"). Counts of people are
whole numbers; shares are percentages with one decimal; formula-like text is neutralised
(:mod:`workforce.csv_safety`). The advice file keeps every column but the sentences in the
other language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import polars as pl

from workforce.alignment.advice import Advice
from workforce.csv_safety import neutralise, write_excel
from workforce.language import Language

BOM = "\ufeff".encode()


def _both(nl: str, en: str) -> dict[Language, str]:
    return {Language.nl: nl, Language.en: en}


ADVICE_HEADERS: dict[str, dict[Language, str]] = {
    "rank": _both("Rang", "Rank"),
    "programme_name": _both("Opleiding", "Programme"),
    "level": _both("Niveau", "Level"),
    "institution_name": _both("Instelling", "Institution"),
    "profession_name": _both("Beroep", "Profession"),
    "status": _both("Haalbaar met opleiden?", "Feasible by training?"),
    "current_intake": _both("Huidige instroom per jaar", "Current intake a year"),
    "first_cohort": _both("Eerste cohort", "First cohort"),
    "first_year_extra_intake": _both(
        "Haalbare stap: extra studenten in het eerste cohort",
        "Feasible step: extra students in the first cohort",
    ),
    "horizon_year": _both("Horizonjaar", "Horizon year"),
    "needed_persons": _both(
        "Mensen die deze opleiding in het horizonjaar moet leveren",
        "People this programme must supply in the horizon year",
    ),
    "delivered_persons": _both(
        "Bij groei in dit tempo geleverd in het horizonjaar",
        "Supplied in the horizon year when growing at this pace",
    ),
    "closed_share": _both("Deel van het tekort gedicht (%)", "Share of the gap closed (%)"),
    "remaining_gap_persons": _both(
        "Nog open in het horizonjaar (mensen)", "Still open in the horizon year (people)"
    ),
    "earliest_year": _both("Met opleiden alleen dicht vanaf", "Closed by training alone from"),
    "years_to_close": _both("Jaren tot het tekort dicht is", "Years until the gap is closed"),
    "extra_intake_per_year": _both(
        "Wat het hele tekort zou vragen: extra studenten per jaar",
        "What the whole gap would take: extra students a year",
    ),
    "extra_intake_per_year_lo_80": _both(
        "Hele tekort: extra per jaar, 80%-interval laag",
        "Whole gap: extra a year, 80% interval low",
    ),
    "extra_intake_per_year_hi_80": _both(
        "Hele tekort: extra per jaar, 80%-interval hoog",
        "Whole gap: extra a year, 80% interval high",
    ),
    "extra_intake_pct": _both(
        "Hele tekort: extra als % van de huidige instroom",
        "Whole gap: extra as % of current intake",
    ),
    "gap_persons": _both(
        "Tekort van het beroep in het horizonjaar (mensen)",
        "Shortage of the profession in the horizon year (people)",
    ),
    "completion": _both("Studenten die een diploma halen (%)", "Students who graduate (%)"),
    "entering_share": _both(
        "Gediplomeerden die in dit beroep in de regio beginnen (%)",
        "Graduates who start in this profession in the region (%)",
    ),
    "entry_source": _both("Waar dat aandeel op rust", "What that share rests on"),
    "retention": _both(
        "Nieuwe medewerkers die elk jaar blijven (%)", "New staff who stay each year (%)"
    ),
    "nominal_years": _both("Opleidingsduur (jaar)", "Duration (years)"),
    "placement_cap_per_year": _both(
        "Grens door stageplaatsen (extra studenten per jaar)",
        "Limit from placements (extra students a year)",
    ),
    "advice_nl": _both("Advies", "Advice (Dutch)"),
    "feasibility": _both("Toelichting", "Explanation (Dutch)"),
    "advice_en": _both("Advies (Engels)", "Advice"),
    "feasibility_en": _both("Toelichting (Engels)", "Explanation"),
    "assumptions": _both("Aannames (Engels)", "Assumptions"),
    "route": _both("Soort opleiding", "Kind of training"),
    "programme_code": _both("Opleidingscode", "Programme code"),
    "code_system": _both("Codestelsel", "Code system"),
    "institution_code": _both("Instellingscode (BRIN)", "Institution code (BRIN)"),
    "profession_code": _both("Beroepscode", "Profession code"),
}
"""Headers of the advice file's columns per language, in the file's order: first what a
committee can do next (the feasible step, what it closes and by when), then the whole need as
context, then the assumptions behind it, the sentences, and last the codes."""

ADVICE_LEFT_OUT: dict[Language, tuple[str, ...]] = {
    Language.nl: ("advice_en", "feasibility_en", "assumptions"),
    Language.en: ("advice_nl", "feasibility"),
}
"""Columns a file in the language leaves out: sentences in the other language."""

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
    "years_to_close",
)
"""Whole numbers: people, students, years."""

ADVICE_SHARES = ("completion", "entering_share", "retention", "extra_intake_pct", "closed_share")
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
    """The advice table for a reader of the file: coded values in words, each profession's
    name, the columns in the file's order, without the other language's sentences."""
    from workforce.alignment.wording import status_text
    from workforce.reference import load_reference

    names = load_reference().professions.select(
        "profession_code", profession_name=f"name_{language.value}"
    )
    table = table.with_columns(
        pl.col(column).replace(values[language])
        for column, values in ADVICE_VALUES.items()
        if column in table.columns
    )
    if "status" in table.columns:
        years = (
            table["years_to_close"].to_list()
            if "years_to_close" in table.columns
            else [None] * table.height
        )
        table = table.with_columns(
            status=pl.Series(
                [
                    status_text(status, years, language.value)
                    for status, years in zip(table["status"], years, strict=True)
                ],
                dtype=pl.String,
            )
        )
    if "profession_code" in table.columns:
        table = table.join(names, on="profession_code", how="left", maintain_order="left")
    left_out = ADVICE_LEFT_OUT[language]
    ordered = [c for c in ADVICE_HEADERS if c in table.columns and c not in left_out]
    others = [c for c in table.columns if c not in ADVICE_HEADERS]
    return table.select(*ordered, *others)


def advice_csv(table: pl.DataFrame, language: Language = Language.nl) -> bytes:
    """The advice table as a CSV that Dutch (or English) Excel opens as columns."""
    return spreadsheet_csv(
        readable_advice(table, language),
        headers=ADVICE_HEADERS,
        counts=ADVICE_COUNTS,
        shares=ADVICE_SHARES,
        language=language,
    )


BY_YEAR_HEADERS: dict[str, dict[Language, str]] = {
    "programme_name": _both("Opleiding", "Programme"),
    "institution_name": _both("Instelling", "Institution"),
    "profession_name": _both("Beroep", "Profession"),
    "cohort_year": _both("Cohort (instroomjaar)", "Cohort (intake year)"),
    "graduation_year": _both("Jaar van afstuderen", "Graduation year"),
    "current_intake": _both("Huidige instroom", "Current intake"),
    "placements": _both("Stageplaatsen", "Placements"),
    "placement_cap": _both("Hoogstens extra dit cohort", "At most extra this cohort"),
    "extra_intake": _both(
        "Wat het hele tekort zou vragen (extra per jaar)", "What the whole gap would take"
    ),
    "extra_intake_capped": _both("Haalbare extra instroom", "Feasible extra intake"),
    "extra_graduates": _both("Extra gediplomeerden", "Extra graduates"),
    "route": _both("Soort opleiding", "Kind of training"),
    "programme_code": _both("Opleidingscode", "Programme code"),
    "institution_code": _both("Instellingscode (BRIN)", "Institution code (BRIN)"),
    "profession_code": _both("Beroepscode", "Profession code"),
}
"""Headers of the workbook's sheet per cohort year."""

GAP_HEADERS: dict[str, dict[Language, str]] = {
    "profession_name": _both("Beroep", "Profession"),
    "horizon_year": _both("Horizonjaar", "Horizon year"),
    "gap_persons": _both("Tekort (mensen)", "Shortage (people)"),
    "gap_persons_lo_80": _both("Tekort, 80%-interval laag", "Shortage, 80% interval low"),
    "gap_persons_hi_80": _both("Tekort, 80%-interval hoog", "Shortage, 80% interval high"),
    "probability_shortage": _both("Kans op een tekort (%)", "Chance of a shortage (%)"),
    "delivered_persons": _both(
        "Geleverd door de haalbare extra instroom (mensen)", "Supplied by the feasible intake"
    ),
    "unmet_persons": _both("Nog open (mensen)", "Still open (people)"),
    "earliest_year": _both("Met opleiden alleen dicht vanaf", "Closed by training alone from"),
    "retention_pct_needed": _both("Of: minder vertrek nodig (%)", "Or: fewer leavers needed (%)"),
    "extra_hours_needed": _both(
        "Of: uren per week meer per medewerker", "Or: more hours a week per worker"
    ),
    "career_changers_needed_per_year": _both(
        "Of: zij-instromers per jaar", "Or: career changers a year"
    ),
    "route": _both("Soort opleiding", "Kind of training"),
    "region_code": _both("Regiocode", "Region code"),
    "profession_code": _both("Beroepscode", "Profession code"),
}
"""Headers of the workbook's sheet per profession."""


def _readable_sheet(
    frame: pl.DataFrame,
    advice: Advice,
    headers: Mapping[str, Mapping[Language, str]],
    counts: tuple[str, ...],
    shares: tuple[str, ...],
    language: Language,
) -> pl.DataFrame:
    """A detail sheet with names beside its codes, coded values in words, the columns in the
    headers' order and named by them."""
    names = advice.table.select(
        "programme_code", "institution_code", "programme_name", "institution_name"
    ).unique(["programme_code", "institution_code"])
    if "institution_code" in frame.columns:
        frame = frame.join(
            names, on=["programme_code", "institution_code"], how="left", maintain_order="left"
        )
    frame = readable_advice(frame, language)
    frame = _counts_and_shares(frame, counts, shares, 1)
    ordered = [c for c in headers if c in frame.columns]
    others = [c for c in frame.columns if c not in headers]
    return frame.select(*ordered, *others).rename({c: headers[c][language] for c in ordered})


def advice_xlsx(advice: Advice, language: Language = Language.nl) -> bytes:
    """The advice as an Excel workbook: the ranked table with headers in ``language`` (counts
    whole, shares as percentages), then the detail per cohort year and the gaps per profession,
    under plain headers with names beside the codes."""
    import xlsxwriter

    readable = readable_advice(advice.table, language)
    table = _counts_and_shares(readable, ADVICE_COUNTS, ADVICE_SHARES, 1).rename(
        {c: ADVICE_HEADERS[c][language] for c in readable.columns if c in ADVICE_HEADERS}
    )
    by_year = _readable_sheet(
        advice.by_year,
        advice,
        BY_YEAR_HEADERS,
        ("current_intake", "placements", "placement_cap", "extra_intake", "extra_intake_capped"),
        (),
        language,
    )
    gaps = _readable_sheet(
        advice.gaps,
        advice,
        GAP_HEADERS,
        (
            "gap_persons",
            "gap_persons_lo_80",
            "gap_persons_hi_80",
            "delivered_persons",
            "unmet_persons",
            "career_changers_needed_per_year",
        ),
        ("probability_shortage",),
        language,
    )
    sheets = {
        "advies" if language is Language.nl else "advice": table,
        "per cohortjaar" if language is Language.nl else "by cohort year": by_year,
        "tekort per beroep" if language is Language.nl else "gap per profession": gaps,
    }
    if advice.destinations is not None:
        sheets["bestemmingen" if language is Language.nl else "destinations"] = advice.destinations
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        for name, frame in sheets.items():
            write_excel(frame, workbook, worksheet=name, autofit=True)
    return buffer.getvalue()
