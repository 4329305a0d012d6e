"""``workforce fetch-cbs``: CBS StatLine open data, and population tables ready to ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from workforce.cli.support import console, fail
from workforce.store import write_frame


def register(app: typer.Typer) -> None:
    """Add ``fetch-cbs`` to ``app``."""
    app.command("fetch-cbs")(fetch_cbs)


def fetch_cbs(
    table_id: Annotated[str, typer.Argument(help="StatLine table id, e.g. 80472ned.")],
    out: Annotated[
        Path, typer.Option(help="Folder to write to; the table gets a subfolder of its id.")
    ] = Path("data/external/cbs"),
    base_url: Annotated[
        str | None,
        typer.Option(
            help="OData v3 address (default: the CBS service, https://opendata.cbs.nl/ODataApi/odata)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 60.0,
) -> None:
    """Download a CBS StatLine table (OData v3) as Parquet, with its title and licence."""
    from workforce.ingest.statline import DEFAULT_BASE_URL, StatLineError, fetch_table

    try:
        with console.status(f"Downloading {table_id} from StatLine"):
            fetched = fetch_table(
                table_id, out, base_url=base_url or DEFAULT_BASE_URL, timeout=timeout
            )
    except StatLineError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"Cannot write to {out}: {error.strerror or error}") from None
    observations = fetched.rows.get("TypedDataSet", 0)
    console.print(
        f"{fetched.table_id} {escape(fetched.title)}: {observations:,} observations, "
        f"{len(fetched.rows)} entity sets -> {escape(str(fetched.folder))}"
    )
    _write_population_rows(fetched.folder)
    console.print("Bron: CBS (CC BY 4.0)")


def _write_population_rows(folder: Path) -> None:
    """For a population table: its rows in the population contract, ready for ``ingest``."""
    from workforce.ingest.cbs import OpenDataError
    from workforce.ingest.cbs_population import is_population_table, read_population_table

    if not is_population_table(folder):
        return
    try:
        table = read_population_table(folder)
    except OpenDataError as error:
        raise fail(str(error)) from None
    target = folder / f"population_{table.table_id.lower()}.csv"
    write_frame(table.rows, target)
    left_out = ", ".join(f"{count:,} {why}" for why, count in table.left_out.items() if count)
    console.print(
        f"{table.rows.height:,} population rows -> {escape(str(target))} "
        f"(left out as sums: {left_out or 'none'}); load them with `workforce ingest`",
        soft_wrap=True,
    )
