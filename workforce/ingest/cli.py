"""Commands of the open-data readers, registered on the ``workforce`` app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the open-data commands to ``app``."""
