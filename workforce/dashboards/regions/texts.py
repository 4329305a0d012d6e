"""Screen texts of the regions page, in Dutch (and English for analysts)."""

from __future__ import annotations

from workforce.dashboards.format import Language

TEXTS: dict[str, dict[Language, str]] = {
    "title": {
        Language.nl: "De drie arbeidsmarktregio's naast elkaar",
        Language.en: "The three labour-market regions side by side",
    },
    "scope": {Language.nl: "Regio", Language.en: "Region"},
    "all_regions": {
        Language.nl: "Alle drie de regio's samen",
        Language.en: "All three regions together",
    },
    "measure": {Language.nl: "Kaart", Language.en: "Map"},
    "headcount": {
        Language.nl: "Medewerkers naar werkgemeente",
        Language.en: "Staff by place of work",
    },
    "inflow": {
        Language.nl: "Instroom van buiten de regio (12 maanden)",
        Language.en: "Inflow from outside the region (12 months)",
    },
    "outflow": {
        Language.nl: "Uitstroom uit de regio (12 maanden)",
        Language.en: "Outflow from the region (12 months)",
    },
    "comparison_title": {
        Language.nl: "Tekort als deel van de vraag: nu, eind 2022 en gepubliceerd 2022",
        Language.en: "Shortage as a share of demand: now, end of 2022 and published 2022",
    },
    "now": {Language.nl: "Nu ({month})", Language.en: "Now ({month})"},
    "data_2022": {Language.nl: "Eind 2022 in de data", Language.en: "End of 2022 in the data"},
    "published_2022": {Language.nl: "Gepubliceerd 2022", Language.en: "Published 2022"},
    "map_title": {Language.nl: "{measure}: {scope}", Language.en: "{measure}: {scope}"},
    "municipality_title": {
        Language.nl: "{measure}, van groot naar klein: {scope}",
        Language.en: "{measure}, largest first: {scope}",
    },
    "hidden": {
        Language.nl: "verborgen (te weinig mensen of werkgevers)",
        Language.en: "hidden (too few people or employers)",
    },
    "other_region": {Language.nl: "niet gekozen", Language.en: "not chosen"},
    "tension_title": {
        Language.nl: "Spanning per beroep (vacatures per nieuwe instromer): {scope}",
        Language.en: "Tension per profession (vacancies per newcomer): {scope}",
    },
    "moves_title": {
        Language.nl: "Overstappen tussen de regio's (12 maanden): {scope}",
        Language.en: "Moves between the regions (12 months): {scope}",
    },
    "moves_to": {Language.nl: "naar {region}", Language.en: "to {region}"},
    "moves": {Language.nl: "Overstappen", Language.en: "Moves"},
    "staff": {Language.nl: "Medewerkers", Language.en: "Staff"},
    "shortage_now": {Language.nl: "Tekort nu (personen)", Language.en: "Shortage now (persons)"},
    "shortage_fte": {Language.nl: "Tekort nu (fte)", Language.en: "Shortage now (FTE)"},
    "share_now": {Language.nl: "Deel van de vraag", Language.en: "Share of demand"},
    "share_2022": {
        Language.nl: "Eind 2022 (data / gepubliceerd)",
        Language.en: "End of 2022 (data / published)",
    },
    "vacancy_rate": {
        Language.nl: "Vacatures per 1.000 banen",
        Language.en: "Vacancies per 1,000 jobs",
    },
    "time_to_fill": {
        Language.nl: "Doorlooptijd vacature (mediaan, dagen)",
        Language.en: "Time to fill (median, days)",
    },
    "turnover": {
        Language.nl: "Uitstroom uit de regio per jaar",
        Language.en: "Outflow from the region per year",
    },
    "retention": {
        Language.nl: "Na 1 jaar nog in de regio (nieuwe instroom)",
        Language.en: "Still in the region after 1 year (newcomers)",
    },
    "moves_out": {
        Language.nl: "Naar een andere regio (12 mnd)",
        Language.en: "To another region (12 months)",
    },
    "moves_in": {
        Language.nl: "Uit een andere regio (12 mnd)",
        Language.en: "From another region (12 months)",
    },
    "projected": {
        Language.nl: "Verwacht tekort {year} (prognose)",
        Language.en: "Expected shortage {year} (forecast)",
    },
    "projected_interval": {
        Language.nl: "Verwacht tekort {year}: 80 %-interval",
        Language.en: "Expected shortage {year}: 80 % interval",
    },
    "interval_value": {
        Language.nl: "{lo} tot {hi}",
        Language.en: "{lo} to {hi}",
    },
    "published_2031": {
        Language.nl: "Gepubliceerd verwacht tekort 2031",
        Language.en: "Published expected shortage 2031",
    },
    "no_forecast": {
        Language.nl: "nog geen prognose: draai workforce forecast",
        Language.en: "no forecast yet: run workforce forecast",
    },
    "figure": {Language.nl: "Kengetal", Language.en: "Figure"},
    "context_title": {Language.nl: "Landelijke context", Language.en: "National context"},
    "context_employees": {
        Language.nl: "Werknemers in zorg en welzijn in Nederland: {value}",
        Language.en: "Employees in care and welfare in the Netherlands: {value}",
    },
    "context_shortage": {
        Language.nl: "Verwacht landelijk tekort binnen tien jaar: {value}",
        Language.en: "Expected national shortage within ten years: {value}",
    },
    "context_area": {
        Language.nl: "Gepubliceerd tekort in de drie regio's: {value} in 2022, {value_2031} "
        "verwacht in 2031",
        Language.en: "Published shortage in the three regions: {value} in 2022, {value_2031} "
        "expected in 2031",
    },
    "data_note": {
        Language.nl: "Tekort nu = openstaande vacatures (vraag = bezette plus open plekken). "
        "Overstappen tussen de gekozen regio's tellen niet als in- of uitstroom. De gegevens "
        "noemen de werkgemeente; de kaart kan ook de woonplaats tonen. Cellen met minder dan "
        "{k} mensen of met één of twee werkgevers zijn verborgen.",
        Language.en: "Shortage now = open vacancies (demand = filled plus open posts). Moves "
        "between the chosen regions count as neither inflow nor outflow. The data name the "
        "place of work; the map can also show where people live. Cells of fewer than {k} people "
        "or of one or two employers are hidden.",
    },
    "place": {Language.nl: "Plaats", Language.en: "Place"},
    "place_work": {Language.nl: "Werkplaats", Language.en: "Place of work"},
    "place_home": {Language.nl: "Woonplaats", Language.en: "Place of residence"},
    "residence": {
        Language.nl: "Medewerkers naar woonplaats",
        Language.en: "Staff by place of residence",
    },
    "commuting_title": {
        Language.nl: "Woon-werkverkeer tussen de regio's",
        Language.en: "Commuting between the regions",
    },
    "commuting_line": {
        Language.nl: "{region}: {share} van de medewerkers woont in een andere regio ({others}).",
        Language.en: "{region}: {share} of the staff live in another region ({others}).",
    },
    "commuting_other": {Language.nl: "{n} in {region}", Language.en: "{n} in {region}"},
    "commuting_unknown": {
        Language.nl: "{n} zonder bekende woonplaats",
        Language.en: "{n} without a known residence",
    },
    "commuting_none": {
        Language.nl: "De gegevens noemen geen woonplaats: de personeelsbestanden hebben geen "
        "kolom met de woongemeente.",
        Language.en: "The data name no place of residence: run workforce build on files with "
        "residence_municipality_code.",
    },
    "total": {Language.nl: "Alle drie", Language.en: "All three"},
    "map_source": {Language.nl: "{source}", Language.en: "{source}"},
}


def say(key: str, language: Language = Language.nl, **values: object) -> str:
    """The text ``key`` in ``language`` with ``{name}`` filled in."""
    template = TEXTS[key][language]
    return template.format(**values) if values else template
