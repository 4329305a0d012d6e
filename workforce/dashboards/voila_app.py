"""Voila as the dashboards run it: views follow identity, kernels capped, strict headers.

Started by :mod:`workforce.dashboards.server` as ``python -m workforce.dashboards.voila_app``
with Voila's own options plus these:

- ``--WorkforceVoila.max_kernels=N``: at most N page kernels; past that a short Dutch "busy, try
  again in a moment" page (HTTP 503) that retries by itself.
- ``--WorkforceVoila.trust_proxy_header=NAME``: the employer named in this request header (set
  by the organisation's login proxy) sees its own view. Off unless given.
- ``--WorkforceVoila.secure_cookie=True``: the login cookie only over https (behind a TLS proxy).
- ``--WorkforceVoila.release_left_after=S``: a page's kernel is shut down S seconds after its
  browser disconnected (a closed page is shut down at once by Voila itself).
- ``--WorkforceVoila.pool_size=N``: N warm kernels kept ready for page views (see
  :mod:`workforce.dashboards.kernel_pool`), within the kernel cap.

Who signs in: the shared token is the public view; an employer's access token (see
:mod:`workforce.dashboards.access`) signs in as that employer. Each page's kernel starts with a
first cell that records the identity (:func:`workforce.dashboards.identity.sign_in_cell`), and
the kernel accepts only the messages widgets need, so the browser cannot run code in it.
"""

from __future__ import annotations

import asyncio
import copy
import html
import inspect
import os
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import tornado.ioloop
import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider, User
from traitlets import Bool, Int, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler
from voila.utils import ENV_VARIABLE

from workforce.dashboards.access import active_record, find_token
from workforce.dashboards.data import data_dir_from_env
from workforce.dashboards.identity import (
    EMPLOYER_USER,
    PUBLIC_USER,
    Identity,
    resolve_identity,
    sign_in_cell,
)
from workforce.dashboards.kernel_pool import WarmKernelManager, warm_up_code
from workforce.dashboards.page_text import text
from workforce.dashboards.preview import PreviewFilter
from workforce.dashboards.regions.texts import say as say_regions

LOADING = "De pagina wordt opgebouwd\u2026"
COMPUTING = "De cijfers worden berekend\u2026"

WIDGET_MESSAGES = (
    "comm_open",
    "comm_msg",
    "comm_close",
    "comm_info_request",
    "kernel_info_request",
)
"""What a page's browser may send its kernel: widget traffic only, never code to execute."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # Voila's page templates and widget manager run inline scripts; scripts from any other
        # origin are refused.
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)

BUSY_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{retry}">
<title>Even druk</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;color:#24292f">
<h1 style="font-size:1.4em">Het dashboard is even druk</h1>
<p>Er kijken nu veel mensen tegelijk. Probeer het over een ogenblik opnieuw; deze pagina
probeert het over {retry} seconden vanzelf.</p>
</body></html>
"""
RETRY_SECONDS = 15
RELEASE_CHECK_SECONDS = 5
SHUTDOWN_SECONDS = 20


class LeftPages:
    """Shuts down the kernel of a page the browser left: connected once, now without a
    connection for ``after`` seconds. "Connected once" is what the kernel manager saw
    (``connected_once``, :class:`~workforce.dashboards.kernel_pool.WarmKernelManager`), so a
    page open for less than a check's interval counts too. Kernels still waiting for their page
    to connect (slow under load) are left to the idle culler, which waits longer.

    Each shutdown runs on its own, at most ``SHUTDOWN_SECONDS`` long: a kernel that is slow to
    stop never holds up the next checks (the periodic check waits for :meth:`check` to return,
    so one hanging shutdown would otherwise keep every later left page's kernel, until the cap
    turns every viewer away).
    """

    def __init__(self, kernel_manager: Any, *, after: float) -> None:
        self.kernel_manager = kernel_manager
        self.after = after
        self.connected: set[str] = set()
        self.left_at: dict[str, float] = {}
        self.stopping: dict[str, asyncio.Task[None]] = {}

    async def check(self) -> None:
        now = time.monotonic()
        connections = dict(getattr(self.kernel_manager, "_kernel_connections", {}))
        # Connections the manager saw come (and perhaps go) since the last check.
        connected_once: set[str] = getattr(self.kernel_manager, "connected_once", set())
        connected_once.intersection_update(connections)  # forget kernels that are gone
        for kernel_id, count in connections.items():
            if count > 0:
                self.connected.add(kernel_id)
                self.left_at.pop(kernel_id, None)
            elif kernel_id in self.connected or kernel_id in connected_once:
                self.connected.add(kernel_id)
                self.left_at.setdefault(kernel_id, now)
        for kernel_id, since in list(self.left_at.items()):
            if kernel_id not in connections:
                self.left_at.pop(kernel_id)
                self.connected.discard(kernel_id)
            elif now - since >= self.after and kernel_id not in self.stopping:
                self.left_at.pop(kernel_id)
                self.connected.discard(kernel_id)
                self.stopping[kernel_id] = asyncio.ensure_future(self._shut_down(kernel_id))

    async def _shut_down(self, kernel_id: str) -> None:
        """Stop the kernel at once (its page is gone); give up after ``SHUTDOWN_SECONDS``."""
        try:
            await asyncio.wait_for(
                ensure_async(self.kernel_manager.shutdown_kernel(kernel_id, now=True)),
                SHUTDOWN_SECONDS,
            )
        except Exception:  # already gone, or stuck: the idle culler is the last resort
            return
        finally:
            self.stopping.pop(kernel_id, None)


class WorkforceIdentityProvider(PasswordIdentityProvider):
    """The shared token signs in as the public; an employer's active token as that employer."""

    def _data_dir(self) -> Path:
        return data_dir_from_env()

    def _user_for(self, token: str | None) -> User | None:
        if not token:
            return None
        if self.token and token == self.token:
            return User(username=PUBLIC_USER, name="Publiek", display_name="Publiek")
        record = find_token(self._data_dir(), token)
        if record is None:
            return None
        name = record.employer_id
        return User(username=f"{EMPLOYER_USER}{record.token_id}", name=name, display_name=name)

    async def get_user_token(self, handler: tornado.web.RequestHandler) -> User | None:
        """The user of a presented token. The shared token keeps an employer signed in whose
        valid cookie comes with it (a proxy adds the shared token to every request)."""
        user = self._user_for(self.get_token(handler))
        if user is not None and user.username == PUBLIC_USER:
            signed = await self.get_user_cookie(handler)
            if signed is not None and signed.username.startswith(EMPLOYER_USER):
                return signed
        return user

    async def get_user_cookie(self, handler: tornado.web.RequestHandler) -> User | None:
        """The cookie's user, unless its employer token was revoked since."""
        found = super().get_user_cookie(handler)
        user = await found if inspect.isawaitable(found) else found
        if user is None:
            return None
        if user.username.startswith(EMPLOYER_USER):
            token_id = user.username.removeprefix(EMPLOYER_USER)
            if active_record(self._data_dir(), token_id) is None:
                return None
        return user

    def process_login_form(self, handler: tornado.web.RequestHandler) -> User | None:
        return self._user_for(handler.get_argument("password", default=""))


CDN_STYLESHEET = re.compile(
    r'<link rel="stylesheet" href="https://cdn\.jsdelivr\.net/[^"]*"[^>]*/?>'
)
"""Voila's links to Font Awesome on a CDN: the same icons come with Voila's own scripts, and a
page must not depend on the internet (nor ask it for anything)."""

PAGE_TEXTS = (
    (
        re.compile(r"<h2 id=\"loading_text\">Running [^<]*</h2>"),
        f'<h2 id="loading_text">{LOADING}</h2>',
    ),
    (re.compile(r"`Executing \$\{cell_index\} of \$\{cell_count\}`"), f"`{COMPUTING}`"),
    (re.compile(r"`Reading \$\{cell_index\} of \$\{cell_count\}`"), f"`{COMPUTING}`"),
)
"""Voila's English spinner texts and their Dutch replacements."""


def localise_page(html: str) -> str:
    """A chunk of a dashboard page without CDN stylesheets and with the spinner in Dutch."""
    html = CDN_STYLESHEET.sub("", html)
    for pattern, replacement in PAGE_TEXTS:
        html = pattern.sub(replacement, html)
    return html


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, refusing politely when the server holds its maximum of kernels.

    A page's headline preview (:mod:`workforce.dashboards.preview`) is shown as soon as its
    cell has run, before the rest of the page is built.

    Kernels waiting in the pool do not count: a page view takes one of them.
    """

    starting = 0
    """Pages admitted whose kernel has not started yet (counted against the cap too)."""

    def _in_use(self) -> int:
        manager = self.kernel_manager
        if isinstance(manager, WarmKernelManager):
            return manager.in_use()
        return len(manager.list_kernel_ids())

    def _set_starting(self, change: int) -> None:
        CappedVoilaHandler.starting += change
        if isinstance(self.kernel_manager, WarmKernelManager):
            self.kernel_manager.starting = CappedVoilaHandler.starting

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        cap = int(self.settings.get("workforce_max_kernels") or 0)
        if cap and self._in_use() + CappedVoilaHandler.starting >= cap:
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_SECONDS))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(BUSY_PAGE.format(retry=RETRY_SECONDS))
            return
        self._set_starting(+1)
        admitted = True
        preview = PreviewFilter()
        try:
            async for html in self.get_generator(path=path):
                if admitted:  # the first output comes after the kernel started
                    self._set_starting(-1)
                    admitted = False
                self.write(preview.feed(localise_page(html)))
                self.flush()
            self.write(preview.close())
        finally:
            if admitted:
                self._set_starting(-1)


PAGES = {
    "regional_employer.ipynb": (
        text("regional_title"),
        "Voor HR-directeuren: tekorten, doorstroom, verzuim en scenario's voor de hele regio.",
    ),
    "training_alignment.ipynb": (
        text("training_title"),
        "Voor opleidingen: instroomadvies per opleiding en instelling.",
    ),
    "regions.ipynb": (
        say_regions("title"),
        "Voor HR-directeuren: de drie regio's vergeleken, met kaart per gemeente en de pendel.",
    ),
    "forecast_explorer.ipynb": (
        text("explorer_title"),
        "Voor analisten: de vraagprognose per regio, branche en beroep, met backtest.",
    ),
}
"""The dashboards by notebook: the name and the one line the index page shows (every
notebook in ``dashboards/``; a test holds the two together)."""

INDEX_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Dashboards zorg en welzijn</title></head>
<body style="font-family:sans-serif;max-width:48em;margin:3em auto;color:#24292f">
<h1 style="font-size:1.5em">Dashboards arbeidsmarkt zorg en welzijn</h1>
<p style="color:#57606a">Kies een dashboard.</p>
<ul style="list-style:none;padding:0">{items}</ul>
</body></html>
"""


def index_page(base_url: str, notebooks: list[str]) -> str:
    """The Dutch start page: each dashboard by its name and its user, never a file name."""
    items = []
    for notebook in sorted(
        notebooks, key=lambda name: list(PAGES).index(name) if name in PAGES else 99
    ):
        title, line = PAGES.get(notebook, (Path(notebook).stem.replace("_", " ").capitalize(), ""))
        href = html.escape(f"{base_url.rstrip('/')}/voila/render/{notebook}")
        items.append(
            f"<li style='margin:1em 0'><a href='{href}' style='font-size:1.2em'>"
            f"{html.escape(title)}</a><div style='color:#57606a'>{html.escape(line)}</div></li>"
        )
    return INDEX_PAGE.format(items="".join(items))


class IndexHandler(TornadoVoilaTreeHandler):
    """The start page in Dutch, listing the dashboards by name (other folders as Voila's)."""

    @tornado.web.authenticated
    async def get(self, path: str = "") -> None:
        if path.strip("/"):
            await super().get(path)
            return
        notebooks = [
            entry["name"]
            for entry in (await ensure_async(self.contents_manager.get("")))["content"]
            if entry["type"] == "notebook"
        ]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(index_page(self.base_url, notebooks))


def request_identity(handler: Any) -> Identity:
    """The identity of the request ``handler`` serves (see :func:`resolve_identity`)."""
    user = handler.current_user
    user_name = getattr(user, "username", None)
    header = handler.settings.get("workforce_trust_proxy_header") or ""
    value = handler.request.headers.get(header) if header else None
    return resolve_identity(user_name, value, data_dir=data_dir_from_env())


def add_identity_cell(handler: Any, notebook: Any, cwd: str) -> Any:
    """Voila's prelaunch hook: the page runs :func:`sign_in_cell` before its own cells."""
    identity = request_identity(handler)
    signed = copy.deepcopy(notebook)
    signed.cells.insert(0, nbformat.v4.new_code_cell(sign_in_cell(identity)))
    return signed


class WorkforceVoila(Voila):
    """Voila with the identity provider, the sign-in cell, the kernel cap and strict headers."""

    name = "workforce-voila"
    max_kernels = Int(8, config=True, help="Most page kernels at once; 0 for no limit.")
    trust_proxy_header = Unicode(
        "", config=True, help="Request header naming the signed-in employer (from a proxy)."
    )
    secure_cookie = Bool(False, config=True, help="Send the login cookie over https only.")
    release_left_after = Int(
        30, config=True, help="Seconds after its page left before a kernel is shut down."
    )
    pool_size = Int(0, config=True, help="Warm kernels kept ready for page views; 0 for none.")

    def initialize(self, argv: Any = None) -> None:
        self.identity_provider_class = WorkforceIdentityProvider
        super().initialize(argv)
        self.voila_configuration.prelaunch_hook = add_identity_cell
        settings: dict[str, Any] = dict(getattr(self, "tornado_settings", {}))
        self.tornado_settings = {
            **settings,
            "headers": {
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "SAMEORIGIN",
            },
            "workforce_max_kernels": self.max_kernels,
            "workforce_trust_proxy_header": self.trust_proxy_header,
        }

    def init_settings(self) -> dict[str, Any]:
        self.voila_configuration.multi_kernel_manager_class = WarmKernelManager
        settings: dict[str, Any] = super().init_settings()
        self._init_pool()
        provider = self.identity_provider
        provider.cookie_options = {"samesite": "Strict", **provider.cookie_options}
        if self.secure_cookie:
            provider.secure_cookie = True
        self.kernel_manager.allowed_message_types = list(WIDGET_MESSAGES)
        left = LeftPages(self.kernel_manager, after=self.release_left_after)
        self._left_pages = tornado.ioloop.PeriodicCallback(left.check, RELEASE_CHECK_SECONDS * 1000)
        self._left_pages.start()
        return settings

    def _init_pool(self) -> None:
        """Warm kernels for page views: the notebooks' imports, the cap, a refill every few
        seconds (kernels released under the cap make room)."""
        manager = self.kernel_manager
        if not isinstance(manager, WarmKernelManager) or self.pool_size <= 0:
            return
        manager.pool_size = self.pool_size
        manager.max_kernels = self.max_kernels
        manager.warm_up = warm_up_code(Path(self.root_dir))
        manager.pool_env = {
            **os.environ,
            ENV_VARIABLE.VOILA_PREHEAT: "False",
            ENV_VARIABLE.VOILA_BASE_URL: self.base_url,
            ENV_VARIABLE.VOILA_SERVER_URL: self.server_url or "/",
        }
        self._refill = tornado.ioloop.PeriodicCallback(manager.fill, RELEASE_CHECK_SECONDS * 1000)
        self._refill.start()
        tornado.ioloop.IOLoop.current().add_callback(manager.fill)

    def init_handlers(self) -> list[Any]:
        return [
            (pattern, CappedVoilaHandler, *rest)
            if handler is TornadoVoilaHandler
            else (pattern, IndexHandler, *rest)
            if handler is TornadoVoilaTreeHandler
            else (pattern, handler, *rest)
            for pattern, handler, *rest in super().init_handlers()
        ]


def main() -> None:
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    WorkforceVoila.launch_instance()


if __name__ == "__main__":
    main()
