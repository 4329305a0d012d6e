"""Scenario files: a named, versioned set of levers in TOML, parsed and checked.

A scenario file (``scenarios/*.toml``) holds ``name``, ``version``, ``author``, ``date`` and
``rationale``, and one ``[[lever]]`` table per lever::

    [[lever]]
    kind = "retention"          # see LEVER_KINDS
    percent = 10                # the lever's size, in the unit its kind asks for
    professions = ["nurse_vocational"]   # optional scope: regions, professions, sectors,
                                         # age_bands, programmes, levels, institutions (as the
                                         # kind allows)

Education levers (intake, dropout) act on institutions, which train for every region; the other
levers can be scoped to labour-market regions (``regions = ["AM14"]``).

Every mistake is a :class:`ScenarioError` naming the file, the lever and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workforce.reference import AGE_BANDS, Reference, load_reference

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HEADER_FIELDS = ("name", "version", "author", "date", "rationale")
SCOPES = (
    "regions",
    "professions",
    "sectors",
    "age_bands",
    "programmes",
    "levels",
    "institutions",
)


class ScenarioError(ValueError):
    """A scenario file (or a lever in it) is not what the engine expects."""


@dataclass(frozen=True)
class LeverKind:
    """What a lever kind means, the key and range of its size, and the scopes it takes."""

    value_key: str
    low: float
    high: float
    scopes: tuple[str, ...]
    meaning: str


SERIES_SCOPES = ("regions", "professions", "sectors")
COHORT_SCOPES = ("programmes", "levels", "institutions")

LEVER_KINDS: dict[str, LeverKind] = {
    "retention": LeverKind(
        "percent", 0, 100, (*SERIES_SCOPES, "age_bands"), "reduce leaving rates by this %"
    ),
    "intake": LeverKind(
        "percent", -100, 500, COHORT_SCOPES, "change the intake of future cohorts by this %"
    ),
    "dropout": LeverKind(
        "percent", 0, 100, COHORT_SCOPES, "turn this % of expected dropouts into graduates"
    ),
    "entry": LeverKind(
        "percent",
        -100,
        300,
        SERIES_SCOPES,
        "raise the share of graduates entering regional care by this %",
    ),
    "hours": LeverKind(
        "hours_per_week", -36, 8, SERIES_SCOPES, "add this many contract hours per week"
    ),
    "inflow": LeverKind(
        "people_per_year",
        0,
        100_000,
        SERIES_SCOPES,
        "extra career changers and returners per year, split over series by size",
    ),
    "upskilling": LeverKind(
        "percent",
        0,
        50,
        SERIES_SCOPES,
        "move this % of a care-ladder profession's staff one step up each year",
    ),
    "task_shift": LeverKind(
        "percent",
        0,
        50,
        SERIES_SCOPES,
        "have this % of a care-ladder profession's work done one step down the ladder",
    ),
    "demand_growth": LeverKind(
        "percent", 0, 100, SERIES_SCOPES, "reduce the growth of demand by this %"
    ),
    "regional_pool": LeverKind(
        "percent",
        0,
        100,
        SERIES_SCOPES,
        "fill this % of today's open vacancies through a regional pool",
    ),
    "productivity": LeverKind(
        "percent_per_year",
        -5,
        5,
        SERIES_SCOPES,
        "need this % fewer staff per unit of care each year (technology, task changes)",
    ),
}


@dataclass(frozen=True)
class Scope:
    """Where a lever applies; an empty tuple means everywhere."""

    regions: tuple[str, ...] = ()
    professions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"{name}={','.join(values)}" for name in SCOPES if (values := getattr(self, name))]
        return "; ".join(parts) or "all"


@dataclass(frozen=True)
class Lever:
    """One lever of a scenario: its kind, its size and its scope."""

    kind: str
    value: float
    scope: Scope = field(default_factory=Scope)

    @property
    def label(self) -> str:
        """A short readable name, e.g. ``retention 10 percent (professions=nurse_bachelor)``."""
        key = LEVER_KINDS[self.kind].value_key.replace("_", " ")
        scope = self.scope.describe()
        where = "" if scope == "all" else f" ({scope})"
        return f"{self.kind} {self.value:g} {key}{where}"


@dataclass(frozen=True)
class Scenario:
    """A named, versioned set of levers, and the text of the file it came from."""

    name: str
    version: str
    author: str
    date: dt.date
    rationale: str
    levers: tuple[Lever, ...] = ()
    source: Path | None = None
    text: str = ""

    def single(self, index: int) -> Scenario:
        """The same scenario with only lever ``index`` (for one-at-a-time effects)."""
        lever = self.levers[index]
        return Scenario(
            name=f"{self.name}:{index + 1}",
            version=self.version,
            author=self.author,
            date=self.date,
            rationale=lever.label,
            levers=(lever,),
        )


def within_regions(scenario: Scenario, regions: Sequence[str]) -> Scenario:
    """``scenario`` with every lever that takes a region scope kept inside ``regions`` (within
    its own region scope, if it has one); education levers are unchanged."""
    chosen = tuple(regions)
    levers = []
    for lever in scenario.levers:
        if "regions" in LEVER_KINDS[lever.kind].scopes:
            own = lever.scope.regions
            inside = tuple(code for code in own if code in chosen) if own else chosen
            if not inside:
                raise ScenarioError(
                    f"{scenario.source or scenario.name}: lever {lever.label}: its regions "
                    f"{', '.join(own)} are not among the chosen regions {', '.join(chosen)}"
                )
            lever = replace(lever, scope=replace(lever.scope, regions=inside))
        levers.append(lever)
    return replace(scenario, levers=tuple(levers))


def scenario_of(name: str, *levers: Lever, rationale: str = "") -> Scenario:
    """A scenario built in code (no file), dated today."""
    return Scenario(
        name=name,
        version="1",
        author="workforce",
        date=dt.date.today(),
        rationale=rationale or "; ".join(lever.label for lever in levers),
        levers=tuple(levers),
    )


def read_scenario(path: Path, reference: Reference | None = None) -> Scenario:
    """Parse and check a scenario file; raise :class:`ScenarioError` with a clear message."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    scenario = parse_scenario(raw, reference or load_reference(), where=str(path))
    return Scenario(**{**vars(scenario), "source": path, "text": text})


def parse_scenario(raw: dict[str, Any], reference: Reference, *, where: str) -> Scenario:
    """A :class:`Scenario` from a parsed TOML document; ``where`` names it in errors."""
    missing = [name for name in HEADER_FIELDS if name not in raw]
    if missing:
        raise ScenarioError(f"{where}: missing {', '.join(missing)} (expected {HEADER_FIELDS})")
    unknown = sorted(set(raw) - {*HEADER_FIELDS, "lever"})
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {unknown}; expected {', '.join(HEADER_FIELDS)} "
            "and [[lever]] tables"
        )
    name = raw["name"]
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ScenarioError(
            f"{where}: name must be lower-case letters, digits, '-' or '_', got {name!r}"
        )
    date = raw["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise ScenarioError(f"{where}: date must be YYYY-MM-DD, got {date!r}") from None
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise ScenarioError(f"{where}: date must be YYYY-MM-DD, got {date!r}")
    for key in ("author", "rationale"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ScenarioError(f"{where}: {key} must be a non-empty text")
    levers_raw = raw.get("lever", [])
    if not isinstance(levers_raw, list):
        raise ScenarioError(f"{where}: levers are [[lever]] tables")
    levers = tuple(
        parse_lever(item, reference, where=f"{where}: lever {number}")
        for number, item in enumerate(levers_raw, start=1)
    )
    return Scenario(
        name=name,
        version=str(raw["version"]),
        author=raw["author"],
        date=date,
        rationale=raw["rationale"].strip(),
        levers=levers,
    )


def _allowed_codes(reference: Reference) -> dict[str, set[str]]:
    return {
        "regions": set(reference.region_codes()),
        "professions": set(reference.profession_codes()),
        "sectors": set(reference.sector_codes()),
        "age_bands": {label for label, _, _ in AGE_BANDS},
        "programmes": set(reference.programmes["programme_code"].to_list()),
        "levels": set(reference.programmes["level"].to_list()),
        "institutions": set(reference.institution_codes()),
    }


def parse_lever(item: Any, reference: Reference, *, where: str) -> Lever:
    """One ``[[lever]]`` table as a :class:`Lever`; ``where`` names it in errors."""
    if not isinstance(item, dict):
        raise ScenarioError(f"{where}: expected a table with kind = ...")
    kind_name = item.get("kind")
    if kind_name not in LEVER_KINDS:
        raise ScenarioError(
            f"{where}: kind must be one of {', '.join(LEVER_KINDS)}, got {kind_name!r}"
        )
    kind = LEVER_KINDS[kind_name]
    where = f"{where} ({kind_name})"
    allowed_keys = {"kind", kind.value_key, *kind.scopes}
    unknown = sorted(set(item) - allowed_keys)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {unknown}; expected {kind.value_key} "
            f"({kind.meaning}) and optional scopes {', '.join(kind.scopes)}"
        )
    value = item.get(kind.value_key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected {kind.value_key} = a number ({kind.meaning})")
    if not kind.low <= value <= kind.high:
        raise ScenarioError(
            f"{where}: {kind.value_key} must be between {kind.low:g} and {kind.high:g}, "
            f"got {value:g}"
        )
    allowed = _allowed_codes(reference)
    scopes: dict[str, tuple[str, ...]] = {}
    for scope in kind.scopes:
        codes = item.get(scope, [])
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not all(isinstance(c, str | int) for c in codes):
            raise ScenarioError(f"{where}: {scope} must be a list of codes")
        codes = [str(c) for c in codes]
        wrong = sorted(set(codes) - allowed[scope])
        if wrong:
            raise ScenarioError(
                f"{where}: unknown {scope} {wrong}; known: {', '.join(sorted(allowed[scope]))}"
            )
        scopes[scope] = tuple(codes)
    return Lever(kind=kind_name, value=float(value), scope=Scope(**scopes))
