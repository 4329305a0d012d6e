"""The language a page, a sentence or a spreadsheet speaks: Dutch first, English on request."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Dutch (``nl``) or English (``en``)."""

    nl = "nl"
    en = "en"
