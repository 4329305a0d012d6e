"""Training alignment: intake advice per programme and institution, training places for the
professions reached after a diploma, placement capacity, and where graduates go."""

from workforce.alignment.advice import (
    Advice,
    AlignmentError,
    advice_regions,
    advise_intake,
    gap_at_horizon,
)
from workforce.alignment.capacity import (
    DEFAULT_GROWTH_LIMIT,
    CapacityError,
    Placements,
    read_placements,
)
from workforce.alignment.export import write_advice
from workforce.alignment.routes import load_routes

__all__ = [
    "DEFAULT_GROWTH_LIMIT",
    "Advice",
    "AlignmentError",
    "CapacityError",
    "Placements",
    "advice_regions",
    "advise_intake",
    "gap_at_horizon",
    "load_routes",
    "read_placements",
    "write_advice",
]
