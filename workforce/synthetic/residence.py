"""Where the generated staff live: mostly where they work, some across a region border.

Each person gets one place of residence, drawn from the municipality of their first contract:
the same municipality (:data:`LIVE_AT_WORK`), another municipality of the same region
(:data:`SAME_REGION`), or, when the area has several regions, one in another region (the rest:
commuters). The draws use a stream of their own, so the labour market stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LIVE_AT_WORK = 0.55
"""Share of staff living in the municipality where they (first) work."""
SAME_REGION = 0.33
"""Share living in another municipality of the same region; the rest commute across a border."""


def draw_residences(
    persons: np.ndarray,
    starts: np.ndarray,
    work: np.ndarray,
    region_of: Sequence[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """A residence per spell (index into the municipalities ``region_of`` describes), the same
    for every spell of a person: drawn from the work municipality of the person's first spell."""
    if len(persons) == 0:
        return np.zeros(0, dtype=np.int64)
    regions = np.asarray(region_of)
    order = np.lexsort((starts, persons))
    first = order[np.r_[True, persons[order][1:] != persons[order][:-1]]]
    people, home_work = persons[first], work[first]
    draw = rng.random(len(people))
    pick = rng.random(len(people))
    home = home_work.copy()
    by_region = {code: np.flatnonzero(regions == code) for code in np.unique(regions)}
    several = len(by_region) > 1
    for i, (place, u, v) in enumerate(zip(home_work, draw, pick, strict=True)):
        if u < LIVE_AT_WORK:
            continue
        own = regions[place]
        if u < LIVE_AT_WORK + SAME_REGION or not several:
            options = by_region[own]
        else:
            options = np.flatnonzero(regions != own)
        home[i] = options[min(int(v * len(options)), len(options) - 1)]
    residence_of = np.zeros(int(persons.max()) + 1, dtype=np.int64)
    residence_of[people] = home
    return residence_of[persons]
