"""The advice in words: one sentence per row, in Dutch (default) or English, without codes.

Whole numbers for people and students, Dutch decimal commas and thousands points; names of
programmes, institutions and professions from the reference tables.
"""

from __future__ import annotations

import math
from typing import Any

Language = str
"""``"nl"`` or ``"en"``."""


UNMET_TOLERANCE = 0.5
"""Persons left open at the horizon below which the advice counts as closing the gap."""


def whole(value: float | None, language: Language) -> str:
    """A whole number with the language's thousands separator (``1.234`` / ``1,234``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    text = f"{round(value):,}"
    return text.replace(",", ".") if language == "nl" else text


def decimal(value: float, language: Language, digits: int = 1) -> str:
    """A number with ``digits`` decimals and the language's decimal mark (``1,5`` / ``1.5``)."""
    text = f"{value:,.{digits}f}"
    if language == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(share: float, language: Language) -> str:
    """A share as a whole percentage: ``20 %``."""
    return f"{whole(100 * share, language)} %"


FEASIBLE = "feasible"
FEASIBLE_LATER = "feasible_later"
NOT_BY_TRAINING = "not_by_training"
STATUSES = (FEASIBLE, FEASIBLE_LATER, NOT_BY_TRAINING)
"""What intake can do for a row: close the gap at the horizon and keep it closed within the
growth limit (``feasible``), close it in a later year (``feasible_later``), or not within the
projection (``not_by_training``: the rest needs retention, other inflow or working otherwise)."""


def advice_status(row: dict[str, Any]) -> str:
    """The row's status (:data:`STATUSES`) from what its capped intake leaves open."""
    if row.get("extra_intake_per_year") is None:
        return NOT_BY_TRAINING
    unmet = row.get("remaining_gap_persons") or 0.0
    later = row.get("later_gap_persons") or 0.0
    if unmet <= UNMET_TOLERANCE and later <= UNMET_TOLERANCE:
        return FEASIBLE
    return FEASIBLE_LATER if row.get("earliest_year") is not None else NOT_BY_TRAINING


def status_text(status: str, years: int | None, language: Language) -> str:
    """The status in plain words: ``haalbaar``, ``haalbaar in 3 jaar``, or that training
    alone cannot close the gap."""
    if status == FEASIBLE:
        return "haalbaar" if language == "nl" else "feasible"
    if status == FEASIBLE_LATER and years is not None:
        return f"haalbaar in {years} jaar" if language == "nl" else f"feasible in {years} years"
    return (
        "niet te sluiten met opleiden alleen"
        if language == "nl"
        else "not to be closed by training alone"
    )


def _profession(row: dict[str, Any], language: Language) -> str:
    name = row.get("name_nl") if language == "nl" else row.get("name_en")
    return str(name or row.get("name_nl") or row["profession_code"])


def row_sentence(row: dict[str, Any], year: int, language: Language) -> str:
    """What the row advises, in one sentence."""
    profession = _profession(row, language)
    extra = row.get("extra_intake_per_year")
    programme = row.get("programme_name") or ""
    first = row.get("first_cohort")
    if extra is None:
        return (
            f"{programme}: binnen de prognose studeert geen nieuw cohort meer af voor {profession}."
            if language == "nl"
            else f"{programme}: no new cohort can graduate within the projection for {profession}."
        )
    interval = (
        f"{whole(row.get('extra_intake_per_year_lo_80'), language)} "
        f"{'tot' if language == 'nl' else 'to'} "
        f"{whole(row.get('extra_intake_per_year_hi_80'), language)}"
    )
    current = whole(row.get("current_intake"), language)
    if extra > 0 and advice_status(row) != FEASIBLE:
        return _step_sentence(row, year, language)
    if row.get("route") == "post-initial":
        if language == "nl":
            return (
                f"De regio heeft vanaf {first} elk jaar {whole(extra, language)} "
                f"opleidingsplaatsen meer nodig in de {programme} (nu ongeveer {current} per "
                f"jaar) om het tekort aan {profession} in {year} te sluiten en dicht te "
                f"houden (80 %-interval {interval})."
            )
        return (
            f"The region needs {whole(extra, language)} more places a year in "
            f"{row.get('route_name_en') or programme} from {first} (about {current} a year now) "
            f"to close the shortage of {profession} in {year} and keep it closed "
            f"(80 % interval {interval})."
        )
    institution = row.get("institution_name") or ""
    if extra <= 0:
        return (
            f"{institution}: {programme} hoeft voor {profession} in {year} niet meer "
            "studenten aan te nemen."
            if language == "nl"
            else f"{institution}: {programme} needs no extra intake for {profession} in {year}."
        )
    share = percent(row["extra_intake_pct"], language) if row.get("extra_intake_pct") else ""
    if language == "nl":
        return (
            f"{institution}: neem voor {programme} vanaf {first} elk jaar "
            f"{whole(extra, language)} studenten meer aan ({share} boven de huidige {current}) "
            f"om het tekort aan {profession} in {year} te sluiten en dicht te houden "
            f"(80 %-interval {interval})."
        )
    return (
        f"{institution}: take in {whole(extra, language)} more students a year in {programme} "
        f"from {first} ({share} above today's {current}) to close the shortage of "
        f"{profession} in {year} and keep it closed (80 % interval {interval})."
    )


def _step_sentence(row: dict[str, Any], year: int, language: Language) -> str:
    """Education cannot close the gap in time: what it can do next year, what that closes by
    the horizon and by when, then the full need as context."""
    who = f"{row['institution_name']}: " if row.get("institution_name") else ""
    programme = row.get("programme_name") or ""
    profession = _profession(row, language)
    step = whole(row.get("first_year_extra_intake"), language)
    first = row.get("first_cohort")
    closed = percent(row.get("closed_share") or 0.0, language)
    extra = whole(row.get("extra_intake_per_year"), language)
    earliest = row.get("earliest_year")
    if language == "nl":
        when = (
            f"Met opleiden alleen is het vanaf {earliest} dicht."
            if earliest
            else "Met opleiden alleen gaat het niet dicht: de rest vraagt behoud, andere "
            "instroom of anders werken."
        )
        return (
            f"{who}{programme} kan in {first} {step} studenten meer aannemen en daarna blijven "
            f"groeien; zo is in {year} {closed} gedicht van het deel van het tekort aan "
            f"{profession} dat deze opleiding moet sluiten. {when} Wat het hele tekort zou "
            f"vragen: elk jaar {extra} studenten extra."
        )
    when = (
        f"Training alone closes it from {earliest}."
        if earliest
        else "Training alone does not close it: the rest needs retention, other inflow or "
        "working differently."
    )
    return (
        f"{who}{programme} can take in {step} more students in {first} and keep growing; that "
        f"closes {closed} of this programme's part of the shortage of {profession} by {year}. "
        f"{when} What the whole shortage would take: {extra} more students every year."
    )


def feasibility_text(
    row: dict[str, Any], year: int, growth_limit: float, language: Language
) -> str:
    """Empty when the advice closes what it claims; otherwise why not, and what else must."""
    unmet = row.get("remaining_gap_persons") or 0.0
    later = row.get("later_gap_persons") or 0.0
    if row.get("extra_intake_per_year") is None:
        return (
            "Binnen de prognose kan geen nieuw cohort meer afstuderen: alleen behoud, uren of "
            "zij-instroom kunnen dit tekort verkleinen."
            if language == "nl"
            else "No new cohort can graduate within the projection: only retention, hours or "
            "career changers can reduce this shortage."
        )
    if unmet <= UNMET_TOLERANCE and later <= UNMET_TOLERANCE:
        return ""
    placements = row.get("placement_cap_per_year") is not None
    earliest = row.get("earliest_year")
    needed = row.get("needed_persons") or 0.0
    if language == "nl":
        cause = (
            "de stageplaatsen begrenzen de instroom"
            if placements
            else f"de instroom kan hoogstens {percent(growth_limit, language)} per jaar groeien"
        )
        when = (
            f"onderwijs alleen sluit het tekort pas in {earliest}"
            if earliest
            else "onderwijs alleen sluit het tekort niet binnen de prognose"
        )
        text = (
            f"Begrensd: {cause} en {when}; in {year} blijven {whole(unmet, language)} van de "
            f"{whole(needed, language)} benodigde mensen open."
        )
        return text + _other_levers(row, language)
    cause = (
        "placements cap the intake"
        if placements
        else f"intake can grow by at most {percent(growth_limit, language)} a year"
    )
    when = (
        f"education alone closes the shortage only in {earliest}"
        if earliest
        else "education alone does not close the shortage within the projection"
    )
    text = (
        f"Limited: {cause} and {when}; in {year}, {whole(unmet, language)} of the "
        f"{whole(needed, language)} people needed remain open."
    )
    return text + _other_levers(row, language)


def _other_levers(row: dict[str, Any], language: Language) -> str:
    """What retention, hours or career changers would have to add for the whole profession."""
    unmet = row.get("profession_unmet") or 0.0
    retention = row.get("retention_pct_needed")
    hours = row.get("extra_hours_needed")
    changers = row.get("career_changers_needed_per_year")
    if unmet <= 0.5 or retention is None or hours is None or changers is None:
        return ""
    profession = _profession(row, language)
    if language == "nl":
        return (
            f" Voor de {whole(unmet, language)} plaatsen die bij {profession} na alle "
            "opleidingen samen open blijven, is nodig: "
            f"{decimal(retention, language)} % minder vertrek, of {decimal(hours, language)} "
            f"uur per week meer per medewerker, of {whole(changers, language)} zij-instromers "
            "per jaar."
        )
    return (
        f" To fill the {whole(unmet, language)} places among {profession} that all "
        "programmes together leave open: "
        f"{decimal(retention, language)} % fewer leavers, or {decimal(hours, language)} more "
        f"hours a week per worker, or {whole(changers, language)} career changers a year."
    )
