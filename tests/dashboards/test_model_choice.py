"""The model choice in plain Dutch: every reason the choice rule gives, the chosen mix by name."""

from __future__ import annotations

import re

import numpy as np
import pytest

from workforce.dashboards.format import Language, label, model_label
from workforce.dashboards.model_choice import (
    REASONS,
    UNKNOWN_REASON,
    describe_mix,
    explain_reason,
    model_weights,
    reason_key,
)
from workforce.forecast.engine import ForecastEngine
from workforce.forecast.selection import InnerEvidence, choose_pooled

ENGLISH = re.compile(
    r"\b(the|best|beat|default|inner|folds?|weight|on them|series|mean of|fallback|engine|"
    r"candidate|too short|challenger)\b",
    re.IGNORECASE,
)


def _evidence(seed: int, *, trend: float) -> InnerEvidence:
    """Four inner folds of a trending series and three candidates' forecasts of them."""
    rng = np.random.default_rng(seed)
    actuals = [np.arange(12) * trend + 100 + rng.normal(0, 1, 12) for _ in range(4)]
    forecasts = {
        "naive": [np.full(12, a[0]) for a in actuals],
        "drift": [a[0] + np.arange(12) * trend for a in actuals],
        "theta": [a[0] + np.arange(12) * trend * 0.5 for a in actuals],
        "seasonal_naive": [np.full(12, a[0] - 2) for a in actuals],
    }
    return InnerEvidence(
        forecasts=forecasts,
        actuals=actuals,
        scales=[1.0] * 4,
        volatilities=[1.0] * 4,
    )


def _rule_reasons() -> list[str]:
    """Reasons the current choice rule gives: one series, pooled series, the best few only,
    too short."""
    one = choose_pooled([_evidence(1, trend=2.0)])
    pooled = choose_pooled([_evidence(seed, trend=2.0) for seed in range(3)])
    best_few = choose_pooled([_evidence(2, trend=1.0)], top_k=2)
    short = ForecastEngine().decide(None)
    return [one.reason, pooled.reason, best_few.reason, short.reason]


@pytest.mark.parametrize("index", range(4))
def test_every_reason_of_the_choice_rule_reads_as_plain_dutch(index: int) -> None:
    reason = _rule_reasons()[index]
    dutch = explain_reason(reason, Language.nl)
    assert reason_key(reason) is not None, f"a new kind of reason needs a sentence: {reason!r}"
    assert dutch != UNKNOWN_REASON[Language.nl]
    assert not ENGLISH.search(dutch), dutch
    assert explain_reason(reason, Language.en) != dutch


def test_the_pooled_reason_keeps_its_numbers_in_dutch_form() -> None:
    reason = choose_pooled([_evidence(seed, trend=2.0) for seed in range(3)]).reason
    folds = re.search(r"in (\d+) inner folds", reason)
    mase = re.search(r"MASE (\d+\.\d+)", reason)
    assert folds, reason
    assert mase, reason
    dutch = explain_reason(reason)
    assert f"{folds[1]} proefperiodes" in dutch
    assert mase[1].replace(".", ",") in dutch
    assert "3 reeksen" in dutch
    # The trending series' best model, by what it does rather than its name.
    assert "lijn van begin tot nu doorgetrokken" in dutch
    assert not MODEL_NAMES.search(dutch), dutch


def test_older_and_unknown_reasons_never_show_english() -> None:
    older = [
        "no challenger beat the default in every inner fold by 5%",
        "beat the default in every inner fold, 12% lower MASE",
        "fallback: the engine failed on this series",
    ]
    for reason in older:
        assert reason_key(reason) is not None
        assert not ENGLISH.search(explain_reason(reason))
    assert "12%" in explain_reason(older[1])
    assert explain_reason("a rule nobody has written yet") == UNKNOWN_REASON[Language.nl]
    assert explain_reason(None) == UNKNOWN_REASON[Language.nl]


def test_the_mix_is_named_with_dutch_model_names_and_percentages() -> None:
    assert model_weights("drift 0.39, theta 0.33, naive 0.28") == [
        ("drift", 0.39),
        ("theta", 0.33),
        ("naive", 0.28),
    ]
    assert describe_mix("naive 0.28 + drift 0.39 + theta 0.33") == (
        "lijn van begin tot nu doorgetrokken 39% · recent niveau met trend 33% · "
        "laatste waarde aangehouden 28%"
    )
    assert describe_mix("seasonal_naive 1.00", Language.en) == "seasonal naive 100%"
    assert describe_mix("mean of naive, drift, theta") == (
        "gemiddelde van laatste waarde aangehouden, lijn van begin tot nu doorgetrokken, "
        "recent niveau met trend"
    )
    assert describe_mix("naive") == "laatste waarde aangehouden"


MODEL_NAMES = re.compile(r"\b(naive|naïef|drift|theta|prophet|ets|mase)\b", re.IGNORECASE)
"""Names of forecast models and measures a Dutch reader does not know."""


def test_dutch_texts_say_what_a_model_does_not_its_name() -> None:
    for kind in REASONS:
        for sentence in (*kind.full.values(), *kind.short.values()):
            if sentence in (kind.full.get(Language.en), kind.short[Language.en]):
                continue
            shown = re.sub(r"\{\w+\}", "", sentence)  # without the numbers' placeholders
            assert not MODEL_NAMES.search(shown), sentence
    for model in ("naive", "seasonal_naive", "drift", "damped_ets", "theta", "prophet"):
        assert not MODEL_NAMES.search(model_label(model)), model
    for key in ("show_components", "components", "backtest"):
        assert not MODEL_NAMES.search(label(key)), key
