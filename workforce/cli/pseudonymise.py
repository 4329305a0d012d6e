"""``workforce pseudonymise``: run by an employer before an HR extract leaves it.

The identifier is replaced by a keyed hash with the regional key, so the same person has the same
``person_key`` at every employer; only the staff contract's columns are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from workforce.cli.support import console, fail


def register(app: typer.Typer) -> None:
    """Add ``pseudonymise`` to ``app``."""
    app.command()(pseudonymise)


def pseudonymise(
    input: Annotated[Path, typer.Argument(help="HR extract, CSV or xlsx.")],
    id_column: Annotated[
        str, typer.Option("--id-column", help="Column with the identifier (e.g. the BSN).")
    ],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="File holding the regional key, at least 32 bytes, readable by its owner only "
            "(else $WORKFORCE_REGIONAL_KEY).",
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep", help="Another column to send besides the staff contract's (repeatable)."
        ),
    ] = None,
    drop: Annotated[
        list[str] | None,
        typer.Option("--drop", help="A contract column not to send (repeatable)."),
    ] = None,
    birth_date_column: Annotated[
        str | None,
        typer.Option("--birth-date", help="Birth date column to coarsen to birth_year."),
    ] = None,
) -> None:
    """Replace the identifier by person_key (HMAC-SHA256); keep only the contract's columns."""
    from workforce.pseudonymise import PseudonymiseError, pseudonymise_file

    try:
        result = pseudonymise_file(
            input,
            out,
            id_column=id_column,
            key_file=key_file,
            keep=keep or [],
            drop=drop or [],
            birth_date_column=birth_date_column,
        )
    except PseudonymiseError as error:
        raise fail(str(error)) from None
    dropped = ", ".join(result.dropped) or "none"
    birth = f"; birth_year from {result.birth_year_from}" if result.birth_year_from else ""
    console.print(
        f"{result.rows:,} rows -> {escape(str(out))}: {escape(id_column)} replaced by "
        f"person_key; columns not sent: {escape(dropped)}{escape(birth)}.",
        soft_wrap=True,
    )
