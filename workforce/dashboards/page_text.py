"""Screen texts and small HTML pieces of the regional-employer and training-alignment pages.

Dutch first, English beside it, as in :mod:`workforce.dashboards.format`; numbers are formatted
there too. :func:`text` falls back to the shared labels of ``format.LABELS``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from workforce.dashboards.format import LABELS, Language

_NL, _EN = Language.nl, Language.en

TEXTS: dict[str, dict[Language, str]] = {
    # Regional employer
    "regional_title": {
        _NL: "De regio als één werkgever",
        _EN: "The region as one employer",
    },
    "viewer": {_NL: "Bekijken als", _EN: "View as"},
    "viewer_public": {_NL: "Regio (openbaar)", _EN: "Region (public)"},
    "horizon": {_NL: "Horizon", _EN: "Horizon"},
    "years": {_NL: "jaar", _EN: "years"},
    "headcount": {_NL: "Personeel", _EN: "Staff"},
    "fte": {_NL: "Bezetting in fte", _EN: "Staff in FTE"},
    "fte_per_person": {
        _NL: "{value} fte per persoon (36 uur = 1 fte)",
        _EN: "{value} FTE per person (36 hours = 1 FTE)",
    },
    "vacancy_rate_note": {
        _NL: "open vacatures per 100 banen (bezet plus open)",
        _EN: "open vacancies per 100 jobs (filled plus open)",
    },
    "open_vacancies": {_NL: "Openstaande vacatures", _EN: "Open vacancies"},
    "vacancy_rate": {_NL: "Vacaturegraad", _EN: "Vacancy rate"},
    "turnover": {
        _NL: "Regionaal verloop / interne mobiliteit",
        _EN: "Regional turnover / internal mobility",
    },
    "last_12_months": {_NL: "laatste 12 maanden", _EN: "last 12 months"},
    "shortage_in": {_NL: "Verwacht tekort over {n} jaar", _EN: "Expected shortage in {n} years"},
    "shortage_in_1": {_NL: "Verwacht tekort over 1 jaar", _EN: "Expected shortage in 1 year"},
    "fte_unit": {_NL: "fte", _EN: "FTE"},
    "persons_unit": {_NL: "personen", _EN: "persons"},
    "students_unit": {_NL: "studenten", _EN: "students"},
    "fan_title": {_NL: "Tekort in fte", _EN: "Shortage in FTE"},
    "fan_yearly": {
        _NL: "per maand tot 3 jaar vooruit, daarna per jaar (punten)",
        _EN: "monthly up to 3 years ahead, then yearly (dots)",
    },
    "shortage": {_NL: "Tekort (prognose)", _EN: "Shortage (forecast)"},
    "scenario": {_NL: "Scenario", _EN: "Scenario"},
    "scenario_title": {
        _NL: "Scenario's: hefbomen voor de hele regio (herberekend zonder opnieuw te schatten)",
        _EN: "Scenarios: levers for the whole region (recomputed without refitting)",
    },
    "scenario_at_horizon": {_NL: "Scenario einde horizon", _EN: "Scenario at horizon"},
    "reduction": {_NL: "{value} fte minder tekort", _EN: "{value} FTE less shortage"},
    "lever_retention": {_NL: "Behoud (% minder vertrek)", _EN: "Retention (% fewer leavers)"},
    "lever_hours": {_NL: "Uren (+ per week)", _EN: "Hours (+ per week)"},
    "lever_intake": {_NL: "Instroom opleidingen (%)", _EN: "Education intake (%)"},
    "lever_inflow": {_NL: "Zij-instromers (per jaar)", _EN: "Career changers (per year)"},
    "lever_dropout": {
        _NL: "Minder uitval studenten (% behouden)",
        _EN: "Student dropout (% kept)",
    },
    "lever_upskilling": {
        _NL: "Blijven leren (% per jaar een trede hoger)",
        _EN: "Upskilling (% a year one step up)",
    },
    "lever_task_shift": {
        _NL: "Taakherschikking (% werk een trede lager)",
        _EN: "Task shifting (% of work one step down)",
    },
    "lever_demand_growth": {
        _NL: "Technologie (% minder groei vraag)",
        _EN: "Technology (% less demand growth)",
    },
    "lever_regional_pool": {
        _NL: "Regionale pool (% vacatures)",
        _EN: "Regional pool (% of vacancies)",
    },
    "sankey_title": {
        _NL: "Doorstroom binnen de regio (laatste 36 maanden, cellen < {k} verborgen)",
        _EN: "Mobility within the region (last 36 months, cells < {k} hidden)",
    },
    "flow_level": {_NL: "Stromen", _EN: "Flows"},
    "flow_from": {_NL: "Van (vertrokken bij)", _EN: "From (left)"},
    "flow_to": {_NL: "Naar (begonnen bij)", _EN: "To (joined)"},
    "flow_sectors": {_NL: "Branches", _EN: "Sectors"},
    "flow_employers": {_NL: "Werkgevers", _EN: "Employers"},
    "trends_title": {_NL: "Behoud en vervulling", _EN: "Retention and filling"},
    "retention_12": {
        _NL: "Nieuwe medewerkers na 12 maanden nog in de regio",
        _EN: "New hires still in the region after 12 months",
    },
    "days_to_fill": {_NL: "Mediane doorlooptijd vacature (dagen)", _EN: "Median days to fill"},
    "turnover_rate": {_NL: "Regionaal verloop", _EN: "Regional turnover"},
    "mobility_rate": {_NL: "Interne mobiliteit", _EN: "Internal mobility"},
    "retirement_title": {
        _NL: "Pensioengolf: medewerkers die 67 worden, per jaar",
        _EN: "Retirement wave: staff reaching 67, per year",
    },
    "reaching_pension": {_NL: "Bereikt pensioenleeftijd", _EN: "Reaching pension age"},
    "cumulative_share": {_NL: "Cumulatief (% van personeel)", _EN: "Cumulative (% of staff)"},
    "flex_title": {
        _NL: "Flexpool bij 90% dekking: apart per werkgever of regionaal gedeeld (fte)",
        _EN: "Flex pool at 90% cover: per employer or shared by the region (FTE)",
    },
    "flex_separate": {_NL: "Ieder apart", _EN: "Each on its own"},
    "flex_pooled": {_NL: "Regionaal gedeeld", _EN: "Pooled regionally"},
    "flex_gain": {_NL: "Winst regionale flexpool", _EN: "Regional flex pool gain"},
    "benchmark_title": {
        _NL: "Werkgevers vergeleken: {metric}",
        _EN: "Employers compared: {metric}",
    },
    "metric": {_NL: "Kengetal", _EN: "Measure"},
    "own_employer": {_NL: "Eigen organisatie", _EN: "Own organisation"},
    "other_employers": {_NL: "Andere werkgevers", _EN: "Other employers"},
    "region_value": {_NL: "Regio", _EN: "Region"},
    "hidden_cells": {
        _NL: "{n} cellen verborgen (minder dan {k} personen)",
        _EN: "{n} cells hidden (fewer than {k} people)",
    },
    "metric_turnover_rate": {_NL: "Regionaal verloop", _EN: "Regional turnover"},
    "metric_internal_mobility_rate": {_NL: "Interne mobiliteit", _EN: "Internal mobility"},
    "metric_stay_in_region_share": {
        _NL: "Vertrekkers die in de regio blijven",
        _EN: "Leavers staying in the region",
    },
    "metric_retention_12": {_NL: "Behoud na 12 maanden", _EN: "Retention after 12 months"},
    "metric_median_days_to_fill": {_NL: "Mediane doorlooptijd (dagen)", _EN: "Median days to fill"},
    "metric_contract_hours_avg": {_NL: "Gemiddelde contracturen", _EN: "Average contract hours"},
    "metric_share_55_plus": {_NL: "Aandeel 55+", _EN: "Share aged 55+"},
    "metric_vacancy_rate": {_NL: "Vacaturegraad", _EN: "Vacancy rate"},
    "regional_hint": {
        _NL: "Maak eerst de regionale cijfers: `workforce regional`.",
        _EN: "Compute the regional figures first: `workforce regional`.",
    },
    "forecast_hint": {
        _NL: "Maak eerst de prognose: `workforce forecast`.",
        _EN: "Run the forecast first: `workforce forecast`.",
    },
    "ranking_title": {
        _NL: "Waar is het tekort het grootst? Over {n} jaar, {scope}",
        _EN: "Where is the shortage largest? In {n} years, {scope}",
    },
    "ranking_fte": {_NL: "Tekort (fte)", _EN: "Shortage (FTE)"},
    "ranking_persons": {_NL: "Tekort (personen)", _EN: "Shortage (persons)"},
    "ranking_share": {_NL: "Deel van de vraag", _EN: "Share of demand"},
    "ranking_band": {_NL: "Spanning (UWV-band)", _EN: "Tension (UWV band)"},
    "ranking_trend": {_NL: "Trend (vorig jaar)", _EN: "Trend (year before)"},
    "trend_up": {_NL: "groeit", _EN: "growing"},
    "trend_down": {_NL: "krimpt", _EN: "shrinking"},
    "trend_steady": {_NL: "stabiel", _EN: "steady"},
    "ranking_note": {
        _NL: "Spanning in de vijf banden van de UWV-spanningsindicator (zeer ruim < 0,25; ruim "
        "< 0,67; gemiddeld < 1,5; krap < 4; zeer krap vanaf 4), hier berekend als het tekort in "
        "personen per persoon die in een kwartaal het beroep instroomt (afgestudeerden en "
        "zij-instromers). UWV rekent met vacatures per kortdurend werkloze; de banden zijn "
        "dezelfde, de teller en noemer niet.",
        _EN: "Tension in the five bands of UWV's tension indicator (very slack < 0.25; slack "
        "< 0.67; balanced < 1.5; tight < 4; very tight from 4), computed here as the shortage in "
        "persons per person entering the profession in a quarter (graduates and career "
        "changers). UWV uses vacancies per short-term unemployed person; the bands are the "
        "same, the ratio is not.",
    },
    "sick_leave": {_NL: "Ziekteverzuim", _EN: "Sick leave"},
    "sick_leave_title": {
        _NL: "Ziekteverzuim per kwartaal (CBS, landelijk)",
        _EN: "Sick leave per quarter (CBS, national)",
    },
    "sick_leave_branch": {
        _NL: "% van de werkdagen in de CBS-branche",
        _EN: "% of working days in the CBS branch",
    },
    "flex_note": {
        _NL: "Flexpool: de fte die nodig is om in 9 van de 10 maanden alle openstaande vacatures "
        "op te vangen, voor iedere werkgever apart tegenover één pool voor de hele regio. Alle "
        "branches samen, de 15 beroepen met de grootste pool; volgt de filters Branche en "
        "Beroep niet.",
        _EN: "Flex pool: the FTE needed to cover every open vacancy in 9 months out of 10, for "
        "each employer on its own against one pool for the whole region. All sectors together, "
        "the 15 professions with the largest pool; does not follow the sector and profession "
        "filters.",
    },
    # Every page: sources, dates, the demo banner, units and help
    "source": {_NL: "Bron", _EN: "Source"},
    "reference_date": {_NL: "peildatum", _EN: "reference date"},
    "date_unknown": {_NL: "onbekend", _EN: "unknown"},
    "source_staff": {
        _NL: "personeels- en vacaturebestanden van de zorgwerkgevers",
        _EN: "staff and vacancy files of the care employers",
    },
    "source_staff_n": {
        _NL: "personeels- en vacaturebestanden van {n} zorgwerkgevers",
        _EN: "staff and vacancy files of {n} care employers",
    },
    "source_forecast": {
        _NL: "prognose en scenario's: workforce, berekend {run}",
        _EN: "forecast and scenarios: workforce, computed {run}",
    },
    "source_education": {
        _NL: "opleidingsgegevens per instelling (DUO-opzet)",
        _EN: "education data per institution (DUO layout)",
    },
    "source_sick_leave": {
        _NL: "verzuim: CBS, tabel Ziekteverzuimpercentage; bedrijfstakken en bedrijfsgrootte, "
        "landelijk per branche, t/m {period}",
        _EN: "sick leave: CBS, table Sick leave percentage; sectors and company size, national "
        "per sector, up to {period}",
    },
    "source_tension": {
        _NL: "spanningsbanden: UWV-spanningsindicator",
        _EN: "tension bands: UWV tension indicator",
    },
    "demo_title": {_NL: "Demonstratiegegevens.", _EN: "Demonstration data."},
    "demo_body": {
        _NL: "Alle cijfers op deze pagina komen uit de gegenereerde voorbeeldregio, niet van "
        "echte werkgevers of opleidingen. Gebruik ze niet voor besluiten.",
        _EN: "Every figure on this page comes from the generated example region, not from real "
        "employers or schools. Do not use them for decisions.",
    },
    "demo_source": {_NL: "gegenereerde voorbeeldregio", _EN: "generated example region"},
    "surplus": {_NL: "overschot", _EN: "surplus"},
    "shortage_word": {_NL: "tekort", _EN: "shortage"},
    "help_title": {_NL: "Hoe lees ik deze cijfers?", _EN: "How to read these figures"},
    "help_interval": {
        _NL: "Intervallen: bij '80%: 1.900 \u2013 3.100' ligt de uitkomst naar verwachting in "
        "8 van de 10 gevallen tussen die twee getallen; hoe verder vooruit, hoe breder. Een "
        "negatief getal is een overschot: meer personeel dan nodig.",
        _EN: "Intervals: with '80%: 1,900 \u2013 3,100' the outcome is expected between those two "
        "numbers in 8 cases out of 10; the further ahead, the wider. A negative number is a "
        "surplus: more staff than needed.",
    },
    "help_fte": {
        _NL: "Fte en personen: 1 fte is een volledige werkweek van 36 uur. Omdat de meeste "
        "medewerkers in deeltijd werken, zijn er meer personen dan fte nodig om een tekort in "
        "fte te dichten; de regiopagina rekent in fte, de opleidingspagina in personen.",
        _EN: "FTE and persons: 1 FTE is a full 36-hour week. As most staff work part time, "
        "closing a shortage in FTE takes more persons than FTE; the regional page counts FTE, "
        "the training page persons.",
    },
    "help_feasible": {
        _NL: "Haalbaar: een opleiding kan haar instroom niet in één keer verdubbelen. De "
        "haalbare stap is wat er volgend jaar bij kan (hoogstens de groeigrens per jaar, of de "
        "stageplaatsen); groeit de instroom daarna in dat tempo door, dan staat erbij welk "
        "deel van het tekort in het horizonjaar dicht is. 'Haalbaar' betekent dicht in het "
        "horizonjaar, 'haalbaar in N jaar' dicht N jaar na nu, en 'niet te sluiten met "
        "opleiden alleen' dat de rest behoud, andere instroom of anders werken vraagt. Wat het "
        "hele tekort zou vragen staat er ter vergelijking naast.",
        _EN: "Feasible: a programme cannot double its intake at once. The feasible step is "
        "what next year can add (at most the growth limit a year, or the placements); if intake "
        "keeps growing at that pace, the table says what share of the gap is closed by the "
        "horizon year. 'Feasible' means closed by the horizon year, 'feasible in N years' "
        "closed N years from now, and 'not by training alone' that the rest needs retention, "
        "other inflow or working differently. What the whole gap would take is shown beside "
        "it for comparison.",
    },
    "help_demand": {
        _NL: "Vraag en personeel: de vraag (benodigde fte) is de bezetting plus de openstaande "
        "vacatures; het personeel is wie er nu werkt. Het tekort is vraag min personeel.",
        _EN: "Demand and staff: demand (required FTE) is staff in post plus open vacancies; "
        "staff is who works now. The shortage is demand minus staff.",
    },
    "help_error": {
        _NL: "Voorspelfout: elk model heeft eerdere jaren voorspeld alsof die nog moesten komen "
        "(proefperiodes); zijn gemiddelde fout daar, gedeeld door de gemiddelde fout van de "
        "eenvoudigste voorspelling op de jaren ervoor (elke maand gelijk aan dezelfde maand een "
        "jaar eerder). 1 is even groot als die, 0,5 half zo groot; lager is beter. Dekking: hoe "
        "vaak de werkelijkheid in de proefperiodes "
        "binnen het 80%- en het 95%-interval viel.",
        _EN: "Forecast error (MASE): each model forecast earlier years as if they were still to "
        "come (trial periods); its mean error there, divided by the mean error of the "
        "simplest forecast on the years before (every month equal to the same month a year "
        "earlier). 1 is as large as that, 0.5 half as large; lower is better. Coverage: how "
        "often the actual values of the trial periods fell "
        "within the 80% and the 95% interval.",
    },
    # Training alignment
    "training_title": {
        _NL: "Opleiden voor de arbeidsmarkt: instroomadvies per opleiding",
        _EN: "Training alignment: intake advice per programme",
    },
    "horizon_year": {_NL: "Horizonjaar", _EN: "Horizon year"},
    "target": {_NL: "Doel", _EN: "Target"},
    "target_median": {_NL: "Mediaan tekort dichten", _EN: "Close the median gap"},
    "target_probability": {
        _NL: "80% kans op geen tekort",
        _EN: "80% chance of no shortage",
    },
    "institution": {_NL: "Instelling", _EN: "Institution"},
    "all_institution": {_NL: "Alle instellingen", _EN: "All institutions"},
    "gap_at_horizon": {_NL: "Tekort in {year}", _EN: "Gap in {year}"},
    "gap_title": {
        _NL: "Tekort per beroep in {year}, als de instroom van nu afstudeert "
        "(personen, 80%-interval)",
        _EN: "Gap per profession in {year}, when today's intake graduates (persons, 80% interval)",
    },
    "graduates_title": {
        _NL: "Gediplomeerden per jaar: verwacht bij huidige instroom en nodig volgens het advies",
        _EN: "Graduates per year: expected at today's intake and needed under the advice",
    },
    "graduates_expected": {
        _NL: "Verwacht (huidige instroom)",
        _EN: "Expected (today's intake)",
    },
    "graduates_extra": {_NL: "Extra nodig (advies)", _EN: "Extra needed (advice)"},
    "pipeline_title": {
        _NL: "Rendement en uitval per cohort (instroomjaar)",
        _EN: "Completion and dropout per cohort (intake year)",
    },
    "completion_rate": {_NL: "Diplomarendement", _EN: "Completion rate"},
    "dropout_rate": {_NL: "Uitval", _EN: "Dropout"},
    "placements_title": {
        _NL: "Stageplaatsen en advies per cohort",
        _EN: "Placements and advice per cohort",
    },
    "no_placements": {
        _NL: "Zonder opgegeven stageplaatsen groeit de instroom hoogstens {growth} per jaar.",
        _EN: "Without placement capacity given, intake grows by at most {growth} a year.",
    },
    "first_step": {
        _NL: "Haalbare extra instroom in {cohort}",
        _EN: "Feasible extra intake in {cohort}",
    },
    "whole_need": {
        _NL: "wat het hele tekort zou vragen: {need} per jaar",
        _EN: "what the whole gap would take: {need} a year",
    },
    "status_tile": {_NL: "Haalbaar met opleiden", _EN: "Feasible by training"},
    "status_of": {_NL: "{feasible} van {rows}", _EN: "{feasible} of {rows}"},
    "status_rest": {
        _NL: "{later} binnen enkele jaren; {short} niet met opleiden alleen",
        _EN: "{later} within a few years; {short} not by training alone",
    },
    "needed_graduates": {_NL: "Nodige gediplomeerden", _EN: "Graduates needed"},
    "remaining_gap": {
        _NL: "Nog open in {year} bij de haalbare groei",
        _EN: "Still open in {year} at the feasible growth",
    },
    "remaining_levers": {
        _NL: "vraagt behoud, andere instroom of anders werken",
        _EN: "needs retention, other inflow or working differently",
    },
    "advice_title": {
        _NL: "Instroomadvies per opleiding en instelling",
        _EN: "Intake advice per programme and institution",
    },
    "download_csv": {
        _NL: "Download CSV (voor Nederlandse Excel)",
        _EN: "Download CSV (for English Excel)",
    },
    "download_xlsx": {_NL: "Download Excel (xlsx)", _EN: "Download Excel (xlsx)"},
    "col_rank": {_NL: "#", _EN: "#"},
    "col_programme": {_NL: "Opleiding", _EN: "Programme"},
    "col_level": {_NL: "Niveau", _EN: "Level"},
    "col_institution": {_NL: "Instelling", _EN: "Institution"},
    "col_profession": {_NL: "Beroep", _EN: "Profession"},
    "col_status": {_NL: "Haalbaar met opleiden?", _EN: "Feasible by training?"},
    "col_current_intake": {_NL: "Huidige instroom per jaar", _EN: "Current intake a year"},
    "col_step": {
        _NL: "Haalbare extra instroom (cohort)",
        _EN: "Feasible extra intake (cohort)",
    },
    "col_closed": {_NL: "Gedicht in {year}", _EN: "Closed by {year}"},
    "col_earliest": {_NL: "Helemaal dicht vanaf", _EN: "Fully closed from"},
    "col_extra": {
        _NL: "Wat het hele tekort zou vragen (per jaar)",
        _EN: "What the whole gap would take (a year)",
    },
    "col_interval": {_NL: "80%-interval", _EN: "80% interval"},
    "col_assumptions": {_NL: "Advies", _EN: "Advice"},
    "region": {_NL: "regio", _EN: "region"},
    "destinations_title": {
        _NL: "Waar afgestudeerden gaan werken: aangenomen in de regionale zorg per 100 "
        "afgestudeerden (laatste vijf jaar)",
        _EN: "Where graduates go: hired in regional care per 100 graduates (last five years)",
    },
    "destinations_hired": {_NL: "Aangenomen", _EN: "Hired"},
    "destinations_kept": {_NL: "Na een jaar nog in de zorg", _EN: "Still in care a year later"},
    "education_hint": {
        _NL: "Bouw eerst de marts (`workforce build`) en de prognose (`workforce forecast`).",
        _EN: "Build the marts (`workforce build`) and the forecast (`workforce forecast`) first.",
    },
}
"""Texts of the two pages by key and language."""


def text(key: str, language: Language = Language.nl, **values: object) -> str:
    """The screen text ``key`` in ``language`` (shared labels too), ``{name}`` filled in."""
    labels = TEXTS.get(key) or LABELS[key]
    template = labels[language]
    return template.format(**values) if values else template


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    css_class: str = "wf-table",
    numeric: Sequence[bool] | None = None,
    titles: Sequence[str] | None = None,
) -> str:
    """A small HTML table; ``numeric`` columns align right; ``titles`` are hover texts per row."""
    numeric = list(numeric or [False] * len(headers))
    style = "border-collapse:collapse;font-family:sans-serif;font-size:12px"
    cell = "padding:3px 8px;border-bottom:1px solid #d0d7de;line-height:1.35;vertical-align:top"
    head = "".join(
        f"<th style='{cell};text-align:{'right' if n else 'left'}'>{html.escape(h)}</th>"
        for h, n in zip(headers, numeric, strict=True)
    )
    body = []
    for index, row in enumerate(rows):
        title = f" title='{html.escape(titles[index])}'" if titles else ""
        cells = "".join(
            f"<td style='{cell};text-align:{'right' if n else 'left'}"
            f"{';white-space:nowrap' if n else ''}'>{html.escape(v)}</td>"
            for v, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr{title}>{cells}</tr>")
    return (
        f"<table class='{css_class}' style='{style}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def download_link(label: str, payload: bytes, *, filename: str, mime: str) -> str:
    """An HTML link that downloads ``payload`` as ``filename`` (a data URI: no server files)."""
    encoded = base64.b64encode(payload).decode("ascii")
    return (
        f"<a class='wf-download' download='{html.escape(filename)}' "
        f"href='data:{mime};base64,{encoded}' style='font-family:sans-serif;margin-right:16px'>"
        f"{html.escape(label)}</a>"
    )


def section_title(title: str) -> str:
    """A section heading in the house style."""
    return f"<h3 style='font-family:sans-serif;margin:16px 0 4px'>{html.escape(title)}</h3>"


def help_html(keys: Sequence[str], language: Language = Language.nl) -> str:
    """A folded "Hoe lees ik deze cijfers?" box with the help texts ``keys``."""
    items = "".join(
        f"<p style='margin:4px 0'>{html.escape(text(key, language))}</p>" for key in keys
    )
    return (
        "<details class='wf-help' style='font-family:sans-serif;font-size:13px;margin:4px 0 8px'>"
        f"<summary style='cursor:pointer;color:#1f3b73'>{html.escape(text('help_title', language))}"
        f"</summary>{items}</details>"
    )
