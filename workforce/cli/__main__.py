"""``python -m workforce.cli``: the same as the ``workforce`` command."""

from workforce.cli import app

app()
