"""The dashboard server: Voila on ``dashboards/``, token authentication on, sources stripped.

``workforce dashboard``, the browser tests and the benchmark all start Voila through
:class:`DashboardServer` (as :mod:`workforce.dashboards.voila_app`: views follow identity,
kernels capped, strict headers), so what is tested is what users get.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from workforce.dashboards.data import DATA_ENV, MODELS_ENV

TOKEN_ENV = "WORKFORCE_DASHBOARD_TOKEN"
DASHBOARDS_ENV = "WORKFORCE_DASHBOARDS"
HOST = "127.0.0.1"
DEFAULT_PORT = 8866

EXECUTOR_TIMEOUT = 120
"""Seconds a notebook cell may run before Voila gives up on it (a safety net against stalls)."""
RELEASE_LEFT_AFTER = 30
"""Seconds after a page's browser disconnected (a crash, a lost network) before its kernel is
shut down; a page closed normally has its kernel shut down at once."""
CULL_IDLE_TIMEOUT = 300
"""Seconds an idle kernel that no page ever connected to lives. Longer than the release of a left
page: under load a page may take a while to connect after its kernel rendered it. Busy kernels
(still rendering) and connected ones (open pages) are never culled."""
CULL_INTERVAL = 30
MAX_KERNELS = 8
"""Page kernels at once (one Python process each); past that a "busy, try again" page."""
POOL_SIZE = 4
"""Warm kernels kept ready for page views, within :data:`MAX_KERNELS` (see
:mod:`workforce.dashboards.kernel_pool`)."""


class ServerError(RuntimeError):
    """The dashboard server could not start or did not become ready."""


def dashboards_dir() -> Path:
    """The notebooks: ``$WORKFORCE_DASHBOARDS``, else the repository's, else ``./dashboards``.

    Resolved from the package location, so the command works from any working directory.
    """
    if DASHBOARDS_ENV in os.environ:
        return Path(os.environ[DASHBOARDS_ENV]).resolve()
    beside_package = Path(__file__).resolve().parents[2] / "dashboards"
    if beside_package.is_dir():
        return beside_package
    return (Path.cwd() / "dashboards").resolve()


def new_token() -> str:
    """``$WORKFORCE_DASHBOARD_TOKEN``, or a fresh random token."""
    return os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(24)


@dataclass(frozen=True)
class ServerSettings:
    """How to run Voila; paths are made absolute because kernels start in the notebook folder."""

    data_dir: Path
    models_dir: Path
    port: int = DEFAULT_PORT
    token: str = field(default_factory=new_token, repr=False)
    notebooks: Path = field(default_factory=dashboards_dir)
    executor_timeout: int = EXECUTOR_TIMEOUT
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT
    release_left_after: int = RELEASE_LEFT_AFTER
    max_kernels: int = MAX_KERNELS
    pool_size: int = POOL_SIZE
    trust_proxy_header: str | None = None
    secure_cookie: bool = False

    def __post_init__(self) -> None:
        if self.max_kernels < 0:
            raise ValueError("the kernel cap must be 0 (no cap) or more")
        if self.pool_size < 0:
            raise ValueError("the pool of warm kernels must be 0 (none) or more")
        if self.trust_proxy_header is not None and not _is_header_name(self.trust_proxy_header):
            raise ValueError(
                f"--trust-proxy-header {self.trust_proxy_header!r}: expected a header name "
                "such as X-Workforce-Employer"
            )

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, notebook: str | None = None, *, with_token: bool = True) -> str:
        """The address of the tree page, or of one notebook's dashboard, with the token."""
        path = f"/voila/render/{notebook}" if notebook else "/"
        query = f"?token={self.token}" if with_token else ""
        return f"{self.base_url}{path}{query}"


def voila_command(settings: ServerSettings) -> list[str]:
    """The Voila command line for ``settings``."""
    command = [
        sys.executable,
        "-m",
        "workforce.dashboards.voila_app",
        str(settings.notebooks),
        "--no-browser",
        f"--port={settings.port}",
        f"--Voila.ip={HOST}",
        f"--token={settings.token}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--VoilaExecutor.timeout={settings.executor_timeout}",
        f"--MappingKernelManager.cull_idle_timeout={settings.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        f"--WorkforceVoila.max_kernels={settings.max_kernels}",
        f"--WorkforceVoila.release_left_after={settings.release_left_after}",
        f"--WorkforceVoila.pool_size={settings.pool_size}",
    ]
    if settings.trust_proxy_header:
        command.append(f"--WorkforceVoila.trust_proxy_header={settings.trust_proxy_header}")
    if settings.secure_cookie:
        command.append("--WorkforceVoila.secure_cookie=True")
    return command


def _is_header_name(name: str) -> bool:
    """An HTTP header name: letters, digits and dashes."""
    return bool(name) and all(c.isascii() and (c.isalnum() or c == "-") for c in name)


def server_environment(settings: ServerSettings) -> dict[str, str]:
    """The process environment: where the notebooks find the data and the model runs."""
    return {
        **os.environ,
        DATA_ENV: str(settings.data_dir.resolve()),
        MODELS_ENV: str(settings.models_dir.resolve()),
    }


class DashboardServer:
    """A running Voila process; use as a context manager, or :meth:`start` and :meth:`stop`."""

    def __init__(self, settings: ServerSettings, *, log: IO[bytes] | int | None = None) -> None:
        self.settings = settings
        self._log = log if log is not None else subprocess.DEVNULL
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, ready_timeout: float = 60) -> Self:
        """Start Voila and wait until it answers; raise :class:`ServerError` if it does not."""
        if not self.settings.notebooks.is_dir():
            raise ServerError(f"no dashboards folder at {self.settings.notebooks}")
        self.process = subprocess.Popen(
            voila_command(self.settings),
            env=server_environment(self.settings),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll the tree page until the server answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(
                    f"Voila exited with code {self.process.returncode} "
                    f"(is port {self.settings.port} free?)"
                )
            try:
                with urllib.request.urlopen(self.settings.url(), timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise ServerError(f"Voila did not answer on port {self.settings.port} in {timeout:.0f} s")

    def stop(self) -> None:
        """Stop Voila (and its kernels); kill it if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
