"""Commands of the regional-employer analytics and of pseudonymisation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from workforce.cli_support import console, fail, writes_data
from workforce.store import Store


def register(app: typer.Typer) -> None:
    """Add ``workforce regional`` and ``workforce pseudonymise`` to ``app``."""
    app.command()(regional)
    app.command()(pseudonymise)


def _fail(message: str) -> typer.Exit:
    return fail(message)


@writes_data("regional")
def regional(
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir",
            help="Data folder with marts/; default $WORKFORCE_DATA or data.",
            default_factory=lambda: Path(os.environ.get("WORKFORCE_DATA", "data")),
            show_default=False,
        ),
    ],
    k: Annotated[
        int, typer.Option("--k", min=1, help="Disclosure threshold: fewest people per cell.")
    ] = 10,
) -> None:
    """Regional-employer KPIs, mobility network, flex pool and benchmarks -> <data>/regional/."""
    from workforce.regional import MissingMartsError, write_regional

    try:
        written = write_regional(data_dir, k=k)
    except MissingMartsError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(
            f"cannot write to {Store(data_dir).regional}: {error.strerror or error}"
        ) from None
    console.print(written.describe(), soft_wrap=True)


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
        raise _fail(str(error)) from None
    dropped = ", ".join(result.dropped) or "none"
    birth = f"; birth_year from {result.birth_year_from}" if result.birth_year_from else ""
    console.print(
        f"{result.rows:,} rows -> {escape(str(out))}: {escape(id_column)} replaced by "
        f"person_key; columns not sent: {escape(dropped)}{escape(birth)}.",
        soft_wrap=True,
    )
