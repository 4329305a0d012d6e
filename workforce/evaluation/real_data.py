"""Real series for accuracy checks, grouped in evaluation sets, as long frames.

Two sets are the care series the engine was first built on (CBS open vacancies and sick leave
in care and welfare); four are CBS series of other kinds the engine was not built on
(vacancies in other sections of the economy, in other sectors per province, the care workforce
by age band, sick leave in other sections); one is public monthly data with trend and season
shipped with statsmodels. Each set states its own protocol (horizon and folds), fixed before
any result was seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

CARE_SECTORS = {"422400": "Q", "422500": "86", "422600": "861", "425300": "87", "426600": "88"}
"""SBI keys of care and welfare (Q) and its branches, with their short codes."""

VACANCY_SECTORS = ("422400", "422600", "425300", "426600")
SICK_LEAVE_SECTORS = ("422400", "422500", "422600", "425300", "426600")
PROVINCES = tuple(f"PV{number}" for number in range(20, 32))

OTHER_SECTIONS = {
    "301000": "A",
    "305700": "B",
    "307500": "C",
    "346600": "D",
    "348000": "E",
    "350000": "F",
    "354200": "G",
    "383100": "H",
    "389100": "I",
    "391600": "J",
    "396300": "K",
    "402000": "L",
    "403300": "M",
    "410200": "N",
    "417400": "O",
    "419000": "P",
    "428100": "R",
    "435500": "S",
}
"""SBI 2008 sections outside care and welfare (every single-letter section but Q, T and U)."""

REGIONAL_OTHER_SECTORS = {
    "307500": "C",
    "350000": "F",
    "354200": "G",
    "389100": "I",
    "419000": "P",
}
"""Five sectors outside care for the provincial vacancy set: industry, construction, trade,
hospitality and education."""

WORKFORCE_SECTORS = {"422400": "Q", "422500": "86", "425305": "87-88"}
AGE_BANDS = {
    "53050": "15-25",
    "53310": "25-35",
    "53500": "35-45",
    "53700": "45-55",
    "53800": "55-65",
    "53900": "65-75",
}
"""82807NED person-characteristic keys of the ten-year age bands."""


def _quarterly(frame: pl.DataFrame, measure: str) -> pl.DataFrame:
    return frame.filter(
        pl.col("frequency") == "quarter",
        pl.col("measure") == measure,
        pl.col("value").is_not_null(),
    )


def _national(
    frame: pl.DataFrame, measure: str, prefix: str, sectors: dict[str, str]
) -> pl.DataFrame:
    """One national quarterly ``measure`` per sector of ``sectors`` (CBS key -> short name),
    as ``unique_id`` ``<prefix>/NL/<short name>``, ``ds``, ``y``."""
    national = _quarterly(frame, measure).filter(pl.col("sector_key").is_in(list(sectors)))
    return national.select(
        unique_id=pl.lit(f"{prefix}/NL/") + pl.col("sector_key").replace_strict(sectors),
        ds="period",
        y="value",
    )


def _national_vacancies(sectors: dict[str, str]) -> pl.DataFrame:
    from workforce.ingest.cbs import read_vacancies_by_sector

    return _national(read_vacancies_by_sector(), "open_vacancies", "vacancies", sectors)


def _provincial_vacancies(sectors: dict[str, str]) -> pl.DataFrame:
    from workforce.ingest.cbs import read_regional_vacancies

    regional = _quarterly(read_regional_vacancies(), "open_vacancies").filter(
        pl.col("sector_key").is_in(list(sectors)), pl.col("region_key").is_in(PROVINCES)
    )
    return regional.select(
        unique_id=pl.lit("vacancies/")
        + pl.col("region_key")
        + pl.lit("/")
        + pl.col("sector_key").replace_strict(sectors),
        ds="period",
        y="value",
    )


def _sick_leave(sectors: dict[str, str]) -> pl.DataFrame:
    from workforce.ingest.cbs import read_sick_leave

    return _national(read_sick_leave(), "sick_leave_pct", "sick_leave", sectors)


def vacancy_series() -> pl.DataFrame:
    """Open vacancies per quarter: Q, 861, 87, 88 nationally and Q in each of the 12 provinces."""
    care = {key: CARE_SECTORS[key] for key in VACANCY_SECTORS}
    return pl.concat([_national_vacancies(care), _provincial_vacancies({"422400": "Q"})]).sort(
        "unique_id", "ds"
    )


def sick_leave_series() -> pl.DataFrame:
    """Sick-leave percentage per quarter for Q, 86, 861, 87 and 88 nationally (80072ned)."""
    care = {key: CARE_SECTORS[key] for key in SICK_LEAVE_SECTORS}
    return _sick_leave(care).sort("unique_id", "ds")


def other_section_vacancies() -> pl.DataFrame:
    """Open vacancies per quarter in the 18 sections outside care, nationally (80472ned)."""
    return _national_vacancies(OTHER_SECTIONS).sort("unique_id", "ds")


def other_sector_provincial_vacancies() -> pl.DataFrame:
    """Open vacancies per quarter for five sectors outside care in each of the 12 provinces."""
    return _provincial_vacancies(REGIONAL_OTHER_SECTORS).sort("unique_id", "ds")


def other_section_sick_leave() -> pl.DataFrame:
    """Sick-leave percentage per quarter in the sections outside care (80072ned)."""
    return _sick_leave(OTHER_SECTIONS).sort("unique_id", "ds")


def care_workforce_by_age() -> pl.DataFrame:
    """Working population (x 1000) per quarter in Q, 86 and 87-88 by age band (82807NED)."""
    from workforce.ingest.cbs import read_working_population

    frame = read_working_population().filter(
        pl.col("frequency") == "quarter",
        pl.col("sector_key").is_in(list(WORKFORCE_SECTORS)),
        pl.col("person_characteristic_key").is_in(list(AGE_BANDS)),
        pl.col("sex_key") == "T001038",
        pl.col("value").is_not_null(),
    )
    return frame.select(
        unique_id=pl.lit("workforce/NL/")
        + pl.col("sector_key").replace_strict(WORKFORCE_SECTORS)
        + pl.lit("/")
        + pl.col("person_characteristic_key").replace_strict(AGE_BANDS),
        ds="period",
        y="value",
    ).sort("unique_id", "ds")


def public_monthly_series() -> pl.DataFrame:
    """Two public-domain monthly series with trend and season, shipped with statsmodels.

    ``elec_equip``: Eurostat turnover index of electrical-equipment manufacturing in the euro area
    (1996-2012, not seasonally adjusted). ``co2``: Mauna Loa CO2 (Scripps/CDIAC), monthly means
    of the weekly flask data (1958-2001), months without a measurement filled by interpolation.
    """
    from statsmodels.datasets import co2, elec_equip

    equipment = elec_equip.load_pandas().data.iloc[:, 0]
    carbon = co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    frames = []
    for name, values in (("public/elec_equip", equipment), ("public/co2", carbon)):
        frames.append(
            pl.DataFrame(
                {
                    "unique_id": name,
                    "ds": values.index.to_numpy().astype("datetime64[D]"),
                    "y": values.to_numpy(dtype=float),
                }
            ).with_columns(pl.col("ds").cast(pl.Date))
        )
    return pl.concat(frames).drop_nulls().sort("unique_id", "ds")


def after_last_gap(series: pl.DataFrame, *, months_per_period: int = 3) -> pl.DataFrame:
    """Each series from its last missing period on, so that periods are contiguous.

    CBS leaves some branches blank for years (86 in 2004-2007); models that count steps must not
    bridge such a gap silently.
    """
    months = pl.col("ds").dt.year() * 12 + pl.col("ds").dt.month()
    return (
        series.sort("unique_id", "ds")
        .with_columns(
            gap=(months.diff().over("unique_id") > months_per_period)
            .fill_null(False)
            .cum_sum()
            .over("unique_id")
        )
        .filter(pl.col("gap") == pl.col("gap").max().over("unique_id"))
        .drop("gap")
    )


@dataclass(frozen=True)
class EvaluationSet:
    """A named group of real series with the protocol it is scored on."""

    name: str
    title: str
    horizon: int
    folds: int
    load: Callable[[], pl.DataFrame]
    seen: bool
    """Whether the engine's earlier settings were chosen while looking at this set."""

    def series(self) -> pl.DataFrame:
        """The set's long frame, contiguous periods only."""
        frame = self.load()
        months = 1 if self.horizon == 12 else 3
        return after_last_gap(frame, months_per_period=months)


EVALUATION_SETS: tuple[EvaluationSet, ...] = (
    EvaluationSet(
        "care_vacancies",
        "Open vacancies in care (80472ned: Q, 861, 87, 88; regional: Q in 12 provinces)",
        4,
        4,
        vacancy_series,
        seen=True,
    ),
    EvaluationSet(
        "care_sick_leave",
        "Sick leave in care (80072ned: Q, 86, 861, 87, 88)",
        4,
        4,
        sick_leave_series,
        seen=True,
    ),
    EvaluationSet(
        "other_vacancies",
        "Open vacancies in the 18 other sections (80472ned)",
        4,
        4,
        other_section_vacancies,
        seen=False,
    ),
    EvaluationSet(
        "provincial_vacancies",
        "Open vacancies in C, F, G, I and P in 12 provinces (regional vacancies)",
        4,
        4,
        other_sector_provincial_vacancies,
        seen=False,
    ),
    EvaluationSet(
        "care_workforce_by_age",
        "Care workforce by age band (82807NED: Q, 86, 87-88 x six age bands)",
        4,
        4,
        care_workforce_by_age,
        seen=False,
    ),
    EvaluationSet(
        "other_sick_leave",
        "Sick leave in the other sections (80072ned)",
        4,
        4,
        other_section_sick_leave,
        seen=False,
    ),
    EvaluationSet(
        "public_monthly",
        "Public monthly series with trend and season (statsmodels: elec_equip, co2)",
        12,
        4,
        public_monthly_series,
        seen=False,
    ),
)
"""The accuracy report's sets, in report order."""


def real_series() -> pl.DataFrame:
    """The care series of the first accuracy report, long format (``unique_id, ds, y``)."""
    return after_last_gap(pl.concat([vacancy_series(), sick_leave_series()]))
