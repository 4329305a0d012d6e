"""Commands of the forecast engine, registered on the ``workforce`` app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the forecast commands to ``app``."""
