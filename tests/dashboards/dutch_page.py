"""What a Dutch page must not show: codes and model names a board or committee cannot read."""

from __future__ import annotations

import re
from typing import Any

CODES = re.compile(
    r"\b(naive|naïef|drift|theta|prophet|ets|mase)\b"  # forecast models and measures
    r"|\b\d{5}(ned|NED)\b"  # CBS table codes
    r"|\bAM\d{2}\b"  # labour-market region codes
    r"|\(\d{5}\)"  # programme codes (crebo, croho) in brackets
    r"|\b[a-z]+_[a-z_]+\b",  # code names (general_practitioner, mase_chosen)
    re.IGNORECASE,
)
"""Codes and model names; a Dutch page says what they mean instead."""

SHOWN_TEXT = """() => [document.body.innerText,
  ...Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)].join('\\n')"""
"""Every text the page shows: its body and the charts' labels, titles and legends."""


def codes_shown(page: Any) -> list[str]:
    """The codes and model names a browser page shows (none on a Dutch page)."""
    shown = page.evaluate(SHOWN_TEXT)
    return sorted({match.group(0) for match in CODES.finditer(shown)})
