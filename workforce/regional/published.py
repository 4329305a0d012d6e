"""Published figures the three regions are calibrated to and compared with, with their sources.

These are statements from public reports, not data files: each figure carries the line a page
shows under it.
"""

from __future__ import annotations

from dataclasses import dataclass

AREA_REGIONS: tuple[str, ...] = ("AM13", "AM14", "AM12")
"""The labour-market regions of the Utrecht care employers: Midden-Utrecht, Amersfoort,
Gooi en Vechtstreek."""

REGION_NAMES: dict[str, str] = {
    "AM13": "Midden-Utrecht",
    "AM14": "Amersfoort",
    "AM12": "Gooi en Vechtstreek",
}

REGIONAL_SOURCE = (
    "Bron: prognose 2022 van de werkgeversorganisatie in zorg en welzijn voor Utrecht, "
    "Amersfoort en Gooi en Vechtstreek"
)
NATIONAL_SOURCE_EMPLOYEES = "Bron: landelijke prognose zorg en welzijn (2020)"
NATIONAL_SOURCE_SHORTAGE = "Bron: landelijke prognose zorg en welzijn (december 2024)"


@dataclass(frozen=True)
class PublishedShortage:
    """A region's published shortage in 2022: persons short and their share of demand."""

    region_code: str
    shortage: int
    share_of_demand: float

    @property
    def demand(self) -> float:
        """The demand (persons) the published share implies."""
        return self.shortage / self.share_of_demand


PUBLISHED_2022: dict[str, PublishedShortage] = {
    "AM13": PublishedShortage("AM13", 3269, 0.075),
    "AM14": PublishedShortage("AM14", 1123, 0.078),
    "AM12": PublishedShortage("AM12", 1225, 0.128),
}
PUBLISHED_AREA_SHORTAGE_2022 = 5617
PUBLISHED_AREA_SHORTAGE_2031 = 13_900
NATIONAL_EMPLOYEES_2020 = 1_350_000
NATIONAL_SHORTAGE_IN_TEN_YEARS = 266_000
