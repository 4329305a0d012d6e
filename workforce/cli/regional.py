"""``workforce regional``: the regional-employer KPIs, mobility network, flex pool, benchmarks."""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.options import DataDir
from workforce.cli.support import console, fail, writes_data
from workforce.privacy import DEFAULT_K
from workforce.store import Store


def register(app: typer.Typer) -> None:
    """Add ``regional`` to ``app``."""
    app.command()(regional)


@writes_data("regional")
def regional(
    data_dir: DataDir,
    k: Annotated[
        int, typer.Option("--k", min=1, help="Disclosure threshold: fewest people per cell.")
    ] = DEFAULT_K,
) -> None:
    """Regional-employer KPIs, mobility network, flex pool and benchmarks -> <data>/regional/."""
    from workforce.regional import MissingMartsError, write_regional

    try:
        written = write_regional(data_dir, k=k)
    except MissingMartsError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(
            f"cannot write to {Store(data_dir).regional}: {error.strerror or error}"
        ) from None
    console.print(written.describe(), soft_wrap=True)
