"""The dashboard server over HTTP and WebSocket: headers, sign-in, the kernel cap and cull.

A real Voila (as ``workforce dashboard`` starts it) on an empty data folder: the pages render
their "geen gegevens" states quickly, which is all these tests need.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.support.ports import server_port
from workforce.dashboards.access import issue_token, revoke_tokens
from workforce.dashboards.server import (
    DashboardServer,
    ServerSettings,
)
from workforce.dashboards.voila_app import LOADING, RELEASE_CHECK_SECONDS

pytestmark = pytest.mark.browser

PAGE = "training_alignment.ipynb"


def _serve(folder: Path, **changes: object) -> Iterator[ServerSettings]:
    (folder / "data").mkdir(exist_ok=True)
    settings = ServerSettings(
        data_dir=folder / "data",
        models_dir=folder / "models",
        port=server_port(),
        token="shared-token",
        **changes,  # type: ignore[arg-type]
    )
    log = (folder / "voila.log").open("wb")
    with DashboardServer(settings, log=log):
        yield settings
    log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerSettings]:
    yield from _serve(tmp_path_factory.mktemp("voila_app"), max_kernels=0)


def _open(url: str, jar: CookieJar | None = None) -> tuple[int, dict[str, str], str, list[str]]:
    """Status, headers, body and Set-Cookie lines of a GET (redirects not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(
        NoRedirect, urllib.request.HTTPCookieProcessor(jar if jar is not None else CookieJar())
    )
    try:
        with opener.open(url, timeout=180) as response:
            return (
                response.status,
                dict(response.headers),
                response.read().decode(),
                response.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as error:
        return (
            error.code,
            dict(error.headers),
            error.read().decode(),
            error.headers.get_all("Set-Cookie") or [],
        )


def test_pages_carry_a_script_policy_and_a_same_site_cookie(server: ServerSettings) -> None:
    status, headers, _, cookies = _open(server.url(PAGE))
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    login = next(c for c in cookies if c.startswith("username-"))
    assert "SameSite=Strict" in login
    assert "HttpOnly" in login
    assert "Secure" not in login  # plain http here; see --secure-cookie


def test_the_page_asks_no_cdn_and_its_spinner_speaks_dutch(server: ServerSettings) -> None:
    status, _, body, _ = _open(server.url(PAGE))
    assert status == 200
    assert "cdn.jsdelivr.net" not in body
    assert LOADING in body
    for english in ("Running ", "Executing ${cell_index}", "Reading ${cell_index}"):
        assert english not in body


def test_the_start_page_names_the_dashboards_in_dutch(server: ServerSettings) -> None:
    status, _, body, _ = _open(server.url())
    assert status == 200
    visible = re.sub(r"<[^>]+>", " ", body)
    assert "Opleiden voor de arbeidsmarkt" in visible
    assert ".ipynb" not in visible
    assert "Select items" not in visible
    assert f"/voila/render/{PAGE}" in body


def _cookie_user(cookies: list[str]) -> str:
    """The user name inside the signed login cookie (its payload is base64 JSON)."""
    import base64

    login = next(c for c in cookies if c.startswith("username-"))
    payload = login.split("|")[-2].split(":", 1)[1]
    return str(json.loads(base64.b64decode(payload))["username"])


def test_an_employer_token_signs_in_as_that_employer_until_revoked(
    server: ServerSettings,
) -> None:
    issued = issue_token(server.data_dir, "GGZ-04")
    page = server.url(PAGE, with_token=False)
    status, _, _, cookies = _open(f"{page}?token={issued.token}")
    assert status == 200
    assert _cookie_user(cookies) == f"employer:{issued.record.token_id}"
    _, _, _, shared = _open(server.url(PAGE))
    assert _cookie_user(shared) == "public"
    revoke_tokens(server.data_dir, "GGZ-04")
    assert _open(f"{page}?token={issued.token}")[0] in (302, 403)
    assert _open(f"{page}?token=wfe_guessed")[0] in (302, 403)


async def _ask_kernel(url: str, kernel_id: str) -> dict[str, bool]:
    """Send the kernel one widget-safe request and one request to run code; which answered?"""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url)
    session = uuid.uuid4().hex

    def message(kind: str, content: dict[str, object]) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": kind,
            "session": session,
            "username": "",
            "version": "5.3",
            "date": "2026-01-01T00:00:00Z",
        }
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "channel": "shell",
                "buffers": [],
            }
        )

    await connection.write_message(
        message("execute_request", {"code": "1 + 1", "silent": False, "store_history": False})
    )
    await connection.write_message(message("kernel_info_request", {}))
    answered = {"execute_reply": False, "kernel_info_reply": False}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(answered.values()):
        try:
            raw = await asyncio.wait_for(connection.read_message(), timeout=3)
        except TimeoutError:
            if answered["kernel_info_reply"]:
                break
            continue
        if raw is None:
            break
        kind = json.loads(raw)["header"]["msg_type"]
        if kind in answered:
            answered[kind] = True
    connection.close()
    return answered


def test_the_browser_cannot_run_code_in_its_pages_kernel(server: ServerSettings) -> None:
    _, _, body, _ = _open(server.url(PAGE))
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', body)
    assert kernel_id is not None
    socket = (
        f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id.group(1)}/channels"
        f"?token={server.token}"
    )
    answered = asyncio.run(_ask_kernel(socket, kernel_id.group(1)))
    assert answered == {"execute_reply": False, "kernel_info_reply": True}


async def _connect_and_leave(url: str, seconds: float) -> None:
    """A page's widgets connect to its kernel, stay ``seconds``, then the browser is gone."""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url)
    await asyncio.sleep(seconds)
    connection.close()


def test_past_the_cap_a_dutch_busy_page_until_a_left_pages_kernel_is_released(
    tmp_path: Path,
) -> None:
    for settings in _serve(tmp_path, max_kernels=1):
        first = _open(settings.url(PAGE))
        assert first[0] == 200
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', first[2])
        assert kernel_id is not None
        status, headers, body, _ = _open(settings.url(PAGE))
        assert status == 503
        assert "Het dashboard is even druk" in body
        assert "Probeer het over een ogenblik opnieuw" in body
        assert int(headers["Retry-After"]) > 0
        socket = (
            f"ws://127.0.0.1:{settings.port}/api/kernels/{kernel_id.group(1)}/channels"
            f"?token={settings.token}"
        )
        asyncio.run(_connect_and_leave(socket, RELEASE_CHECK_SECONDS + 2))
        assert _open(settings.url(PAGE))[0] == 503  # not released at once
        left = time.monotonic()
        while _open(settings.url(PAGE))[0] == 503:
            assert time.monotonic() - left < 60, "the left page's kernel was not released"
            time.sleep(2)


def test_an_employer_stays_signed_in_when_a_proxy_adds_the_shared_token(
    server: ServerSettings,
) -> None:
    issued = issue_token(server.data_dir, "VVT-01")
    jar = CookieJar()
    page = server.url(PAGE, with_token=False)
    assert _open(f"{page}?token={issued.token}", jar)[0] == 200
    status, _, _, cookies = _open(f"{page}?token={server.token}", jar)
    assert status == 200
    assert not cookies or _cookie_user(cookies) == f"employer:{issued.record.token_id}"
    revoke_tokens(server.data_dir, "VVT-01")
    _, _, _, cookies = _open(f"{page}?token={server.token}", jar)
    assert _cookie_user(cookies) == "public"
