"""The ``workforce dashboard`` command: Voila on ``dashboards/`` with token authentication."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from workforce.cli_support import console



def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command to ``app``."""
    app.command()(dashboard)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8866,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data folder (default data/, or $WORKFORCE_DATA).")
    ] = None,
    models_dir: Annotated[
        Path, typer.Option(help="Registry folder `workforce forecast` wrote to.")
    ] = Path("models"),
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser.")
    ] = False,
    preheat: Annotated[
        bool,
        typer.Option(help="Keep one executed kernel per dashboard ready (faster first page)."),
    ] = True,
) -> None:
    """Serve the dashboards with Voila (token authentication on) until Ctrl+C."""
    from workforce.dashboards.server import (
        DashboardServer,
        ServerError,
        ServerSettings,
        dashboards_dir,
    )

    data_dir = data_dir or Path(os.environ.get("WORKFORCE_DATA", "data"))
    if not data_dir.is_dir():
        console.print(
            f"[red]{data_dir}: not found; run `make run` or `workforce build` first[/red]"
        )
        raise typer.Exit(2)
    notebooks = dashboards_dir()
    if not notebooks.is_dir():
        console.print(f"[red]No dashboards folder at {notebooks}[/red]")
        raise typer.Exit(2)
    settings = ServerSettings(
        data_dir=data_dir, models_dir=models_dir, port=port, notebooks=notebooks, preheat=preheat
    )
    server = DashboardServer(settings)
    try:
        server.start()
    except ServerError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    names = sorted(path.name for path in notebooks.glob("*.ipynb"))
    console.print(f"Dashboards on {data_dir.resolve()} (models {models_dir.resolve()}):")
    for name in names:
        console.print(f"  {settings.url(name)}", soft_wrap=True)
    console.print(f"All dashboards: {settings.url()}", soft_wrap=True)
    console.print("Stop with Ctrl+C.")
    if not no_browser and names:
        import webbrowser

        webbrowser.open(settings.url(names[0]))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    if server.process is not None and server.process.returncode not in (0, -15, None):
        console.print(f"[red]Voila stopped with code {server.process.returncode}[/red]")
        raise typer.Exit(1)
