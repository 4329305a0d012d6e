"""The forecast engine's model choice in the reader's language: the chosen mix and why.

A forecast run writes, per series, the chosen combination (``drift 0.39 + theta 0.33``), its
weights and a reason in English (``choices.csv``). The wording of those reasons belongs to the
choice rule and changes with it, so each kind of reason is recognised by a stable key phrase;
its numbers are read when they are there. A reason of a kind not listed here still gets a
plain sentence in the reader's language, never the English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workforce.dashboards.format import Language, format_percent, model_label

_NL, _EN = Language.nl, Language.en
_DEFAULT_MIX = "laatste waarde, lijn van begin tot nu en recent niveau met trend"
"""The default mix (naive, drift, theta) said by what its models do."""


@dataclass(frozen=True)
class ReasonKind:
    """One kind of reason: the phrase that marks it, its numbers, and its sentence per language.

    ``full`` uses the numbers ``detail`` finds (as percentages where the rule gives them);
    ``short`` is said when the numbers cannot be read.
    """

    key: str
    marker: re.Pattern[str]
    detail: re.Pattern[str] | None
    full: dict[Language, str]
    short: dict[Language, str]


REASONS: tuple[ReasonKind, ...] = (
    ReasonKind(
        key="inverse_error",
        marker=re.compile(r"weights by inverse inner MASE", re.IGNORECASE),
        detail=re.compile(
            r"in (?P<folds>\d+) inner folds(?: over (?P<series>\d+) series)?; "
            r"best alone: (?P<best>[A-Za-z_]+) \(MASE (?P<mase>\d+(?:\.\d+)?)\)",
            re.IGNORECASE,
        ),
        full={
            _NL: "Elk model telt mee naar hoe goed het voorspelde in {folds} proefperiodes"
            "{series_nl}: hoe kleiner de fout, hoe zwaarder. Het beste model alleen: {best} "
            "(fout {mase} ten opzichte van de eenvoudigste voorspelling).",
            _EN: "Every model counts by how well it forecast {folds} trial periods{series_en}: "
            "the smaller its error, the more. The best model alone: {best} (error {mase} "
            "relative to the simplest forecast).",
        },
        short={
            _NL: "Elk model telt mee naar hoe goed het voorspelde in de proefperiodes: hoe "
            "kleiner de fout, hoe zwaarder.",
            _EN: "Every model counts by how well it forecast the trial periods: the smaller its "
            "error, the more.",
        },
    ),
    ReasonKind(
        key="pooled_shrinkage",
        marker=re.compile(r"beat the default in \d+\s*% of", re.IGNORECASE),
        detail=re.compile(
            r"best (?P<k>\d+) beat the default in (?P<wins>\d+)\s*% of inner folds"
            r"(?: over (?P<series>\d+) series)?\s*:\s*(?P<trust>\d+)\s*% weight",
            re.IGNORECASE,
        ),
        full={
            _NL: "De {k} beste modellen voorspelden in {wins} van de proefperiodes beter dan de "
            "standaardmix{series_nl}; daarom telt hun combinatie voor {trust} mee en de "
            "standaardmix (" + _DEFAULT_MIX + ") voor {rest}.",
            _EN: "The {k} best models beat the default mix in {wins} of the trial periods"
            "{series_en}; so their combination counts for {trust} and the default mix "
            "(naive, drift, theta) for {rest}.",
        },
        short={
            _NL: "Mix van de beste modellen en de standaardmix (" + _DEFAULT_MIX + "), gewogen "
            "naar hoe vaak de beste modellen in de proefperiodes beter voorspelden.",
            _EN: "A mix of the best models and the default mix (naive, drift, theta), weighted "
            "by how often the best models did better in the trial periods.",
        },
    ),
    ReasonKind(
        key="every_fold",
        marker=re.compile(r"^beat the default in every inner fold", re.IGNORECASE),
        detail=re.compile(r"(?P<gain>\d+)\s*% lower MASE", re.IGNORECASE),
        full={
            _NL: "Voorspelde in elke proefperiode beter dan de standaardmix, met {gain} "
            "kleinere fout.",
            _EN: "Did better than the default mix in every trial period, with {gain} smaller "
            "error.",
        },
        short={
            _NL: "Voorspelde in elke proefperiode beter dan de standaardmix.",
            _EN: "Did better than the default mix in every trial period.",
        },
    ),
    ReasonKind(
        key="no_challenger",
        marker=re.compile(r"no challenger beat the default", re.IGNORECASE),
        detail=None,
        full={},
        short={
            _NL: "Geen ander model voorspelde in elke proefperiode duidelijk beter: de "
            "standaardmix (" + _DEFAULT_MIX + ") blijft staan.",
            _EN: "No other model did clearly better in every trial period: the default mix "
            "(naive, drift, theta) stays.",
        },
    ),
    ReasonKind(
        key="no_default",
        marker=re.compile(r"no default candidate", re.IGNORECASE),
        detail=None,
        full={},
        short={
            _NL: "De modellen van de standaardmix pasten niet op deze reeks: de beste andere "
            "modellen zijn gebruikt.",
            _EN: "The default mix's models could not be fitted to this series: the best other "
            "models are used.",
        },
    ),
    ReasonKind(
        key="too_short",
        marker=re.compile(r"too short", re.IGNORECASE),
        detail=None,
        full={},
        short={
            _NL: "De reeks is te kort om modellen op eerdere perioden te toetsen: een eenvoudig "
            "standaardmodel is gebruikt.",
            _EN: "The series is too short to test models on earlier periods: a simple default "
            "model is used.",
        },
    ),
    ReasonKind(
        key="engine_failed",
        marker=re.compile(r"engine failed|^fallback", re.IGNORECASE),
        detail=None,
        full={},
        short={
            _NL: "Het prognosemodel lukte niet op deze reeks: het beste eenvoudige model uit de "
            "backtest is gebruikt.",
            _EN: "The forecast engine failed on this series: the best simple model of the "
            "backtest is used.",
        },
    ),
)
"""Every kind of reason the choice rule gives, by the phrase that marks it."""

UNKNOWN_REASON = {
    _NL: "Gekozen door de modelkeuzeregel op grond van de backtest van eerdere perioden.",
    _EN: "Chosen by the model-choice rule from the backtest on earlier periods.",
}
"""Said for a reason of a kind not listed in :data:`REASONS`."""

_WEIGHT = re.compile(r"(?P<name>[A-Za-z_]+)\s*[:=]?\s*(?P<weight>\d+(?:\.\d+)?)")
_MEAN_OF = re.compile(r"^mean of (?P<names>.+)$", re.IGNORECASE)


def reason_key(reason: str) -> str | None:
    """The key of the kind of ``reason`` (``None`` for a kind not known here)."""
    for kind in REASONS:
        if kind.marker.search(reason):
            return kind.key
    return None


def explain_reason(reason: str | None, language: Language = Language.nl) -> str:
    """The choice rule's English ``reason`` as a plain sentence in ``language``."""
    text = (reason or "").strip()
    for kind in REASONS:
        if not kind.marker.search(text):
            continue
        found = kind.detail.search(text) if kind.detail else None
        if found is None or language not in kind.full:
            return kind.short[language]
        return kind.full[language].format(**_numbers(found.groupdict(), language))
    return UNKNOWN_REASON[language]


def _numbers(groups: dict[str, str | None], language: Language) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in groups.items():
        if name in ("wins", "trust", "gain") and value is not None:
            values[name] = format_percent(int(value) / 100, digits=0, language=language)
        elif value is not None:
            values[name] = value
    if groups.get("trust") is not None:
        rest = 1 - int(groups["trust"] or 0) / 100
        values["rest"] = format_percent(rest, digits=0, language=language)
    if groups.get("best") is not None:
        values["best"] = model_label(str(groups["best"]), language)
    mase_text = groups.get("mase")
    if mase_text is not None:
        mase = f"{float(mase_text):.2f}"
        values["mase"] = mase.replace(".", ",") if language is Language.nl else mase
    series = groups.get("series")
    values["series_nl"] = f" (gemeten over {series} reeksen)" if series else ""
    values["series_en"] = f" (measured over {series} series)" if series else ""
    return values


def model_weights(weights: str | None) -> list[tuple[str, float]]:
    """``drift 0.39, theta 0.33`` (or ``drift 0.39 + theta 0.33``) as (model, weight) pairs."""
    return [(match["name"], float(match["weight"])) for match in _WEIGHT.finditer(weights or "")]


def describe_mix(choice: str | None, language: Language = Language.nl) -> str:
    """The chosen model or mix with screen names: ``recent niveau met trend 39% · …``."""
    text = (choice or "").strip()
    pairs = model_weights(text)
    if pairs:
        return " · ".join(
            f"{model_label(name, language)} {format_percent(weight, digits=0, language=language)}"
            for name, weight in sorted(pairs, key=lambda pair: -pair[1])
        )
    mean_of = _MEAN_OF.match(text)
    if mean_of:
        names = [name.strip() for name in re.split(r",|\band\b", mean_of["names"]) if name.strip()]
        joined = ", ".join(model_label(name, language) for name in names)
        return ("gemiddelde van " if language is Language.nl else "mean of ") + joined
    return model_label(text, language) if text else ""
