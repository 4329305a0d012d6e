"""The ``workforce dashboard`` command: Voila on ``dashboards/``, and employers' access tokens.

``workforce dashboard`` serves the dashboards until Ctrl+C; ``workforce dashboard token
issue|revoke|list`` manages the per-employer credentials that open an employer's own view.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from workforce.cli.options import DataDir
from workforce.cli.support import console, fail
from workforce.store import Store

if TYPE_CHECKING:
    from workforce.dashboards.server import ServerSettings

dashboard_app = typer.Typer(
    help="Serve the dashboards (token authentication on); manage employers' access tokens.",
    invoke_without_command=True,
    no_args_is_help=False,
)
token_app = typer.Typer(help="Employers' access tokens: each opens that employer's own view.")
dashboard_app.add_typer(token_app, name="token")


DASHBOARD_LOG = Path("logs") / "dashboard.log"
"""The Voila server's log, under the data folder: page errors a user sees only as a message."""


def dashboard_log_path(data_dir: Path) -> Path:
    """Where ``workforce dashboard`` appends the server's log for ``data_dir``."""
    return data_dir / DASHBOARD_LOG


def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command group to ``app``."""
    app.add_typer(dashboard_app, name="dashboard")


def _data_dir(data_dir: Path) -> Path:
    """``data_dir``, when it is a folder."""
    if not data_dir.is_dir():
        raise fail(f"{data_dir}: not found; run `make run` or `workforce build` first")
    return data_dir


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _print_start_message(settings: ServerSettings, names: list[str], log_path: Path) -> None:
    """Where the dashboards are, the sign-in URL with the shared token (its only showing),
    the server log and the page cap."""
    console.print(
        f"Dashboards on {settings.data_dir.resolve()} (models {settings.models_dir.resolve()}):",
        soft_wrap=True,
    )
    console.print(f"  Sign in (shared token, public view): {settings.url()}", soft_wrap=True)
    for name in names:
        console.print(f"  {settings.url(name, with_token=False)}", soft_wrap=True)
    if settings.trust_proxy_header:
        console.print(
            f"Employer views from the header {settings.trust_proxy_header}.", soft_wrap=True
        )
    console.print(f"Server log: {log_path.resolve()}", soft_wrap=True)
    cap = settings.max_kernels or "any number of"
    console.print(f"At most {cap} pages at once. Stop with Ctrl+C.")


@dashboard_app.callback()
def dashboard(
    context: typer.Context,
    data_dir: DataDir,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8866,
    models_dir: Annotated[
        Path, typer.Option(help="Registry folder `workforce forecast` wrote to.")
    ] = Path("models"),
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser.")
    ] = False,
    max_kernels: Annotated[
        int,
        typer.Option(min=0, help="Most pages open at once (a kernel each); 0 for no limit."),
    ] = 8,
    trust_proxy_header: Annotated[
        str | None,
        typer.Option(
            help="Request header, set by your login proxy, naming the signed-in employer "
            "(e.g. X-Workforce-Employer). Only behind a proxy that always sets it."
        ),
    ] = None,
    secure_cookie: Annotated[
        bool,
        typer.Option("--secure-cookie", help="Send the login cookie over https only (behind TLS)."),
    ] = False,
) -> None:
    """Serve the dashboards with Voila (token authentication on) until Ctrl+C."""
    if context.invoked_subcommand is not None:
        return
    from workforce.dashboards.server import (
        DashboardServer,
        ServerError,
        ServerSettings,
        dashboards_dir,
    )

    data_dir = _data_dir(data_dir)
    notebooks = dashboards_dir()
    if not notebooks.is_dir():
        raise fail(f"No dashboards folder at {notebooks}")
    try:
        settings = ServerSettings(
            data_dir=data_dir,
            models_dir=models_dir,
            port=port,
            notebooks=notebooks,
            max_kernels=max_kernels,
            trust_proxy_header=trust_proxy_header,
            secure_cookie=secure_cookie,
        )
    except ValueError as error:
        raise fail(str(error)) from None
    log_path = dashboard_log_path(data_dir)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("ab")
    except OSError as error:
        raise fail(f"{log_path}: cannot write the server log ({error.strerror})") from None
    server = DashboardServer(settings, log=log)
    # From before Voila starts: a stop request at any moment after stops Voila too, never
    # leaves it serving on its own.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        try:
            server.start()
        except ServerError as error:
            raise fail(f"{error}; see the server log {log_path}") from None
        names = sorted(path.name for path in notebooks.glob("*.ipynb"))
        _print_start_message(settings, names, log_path)
        if not no_browser and names:
            import webbrowser

            webbrowser.open(settings.url(names[0]))
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        log.close()
    if server.process is not None and server.process.returncode not in (0, -15, None):
        raise fail(f"Voila stopped with code {server.process.returncode}", 1)


@token_app.command("issue")
def issue(
    employer: Annotated[str, typer.Argument(help="Employer id as in the marts, e.g. GGZ-04.")],
    data_dir: DataDir,
) -> None:
    """Issue an access token that opens EMPLOYER's own view; it is shown only this once."""
    from workforce.dashboards.access import AccessError, issue_token

    data_dir = _data_dir(data_dir)
    known = _known_employers(data_dir)
    if known is not None and employer.strip() not in known:
        raise fail(
            f"{employer}: not an employer in {Store(data_dir).marts}; known: "
            f"{', '.join(sorted(known)[:12])}{' ...' if len(known) > 12 else ''}"
        )
    try:
        issued = issue_token(data_dir, employer)
    except AccessError as error:
        raise fail(str(error)) from None
    console.print(
        f"Token {issued.record.token_id} for {escape(issued.record.employer_id)} "
        "(shown once; give it to the employer through a safe channel):",
        soft_wrap=True,
    )
    console.print(issued.token, soft_wrap=True, markup=False)


@token_app.command("revoke")
def revoke(
    employer_or_id: Annotated[
        str, typer.Argument(help="An employer id (all its tokens) or one token id.")
    ],
    data_dir: DataDir,
) -> None:
    """Revoke tokens: they no longer sign anyone in, from the next page load on."""
    from workforce.dashboards.access import AccessError, revoke_tokens

    try:
        revoked = revoke_tokens(_data_dir(data_dir), employer_or_id)
    except AccessError as error:
        raise fail(str(error)) from None
    for record in revoked:
        console.print(f"Revoked {record.token_id} ({escape(record.employer_id)})", soft_wrap=True)


@token_app.command("list")
def list_tokens(data_dir: DataDir) -> None:
    """Every token issued: id, employer, issued, revoked (never the token itself)."""
    from workforce.dashboards.access import AccessError, read_tokens

    try:
        records = read_tokens(_data_dir(data_dir))
    except AccessError as error:
        raise fail(str(error)) from None
    if not records:
        console.print("No tokens issued.")
        return
    for record in records:
        state = f"revoked {record.revoked_at}" if record.revoked_at else "active"
        console.print(
            f"{record.token_id}  {escape(record.employer_id)}  issued {record.issued_at}  {state}",
            soft_wrap=True,
        )


def _known_employers(data_dir: Path) -> set[str] | None:
    """Employer ids in the built workforce mart, or ``None`` when it is not built."""
    import polars as pl

    mart = Store(data_dir).mart_path("workforce_monthly")
    if not mart.is_file():
        return None
    try:
        ids = pl.scan_parquet(mart).select(pl.col("employer_id").unique()).collect()
    except (OSError, pl.exceptions.PolarsError):
        return None
    return {str(value) for value in ids["employer_id"].to_list()}
