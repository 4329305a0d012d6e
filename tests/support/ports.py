"""Ports for the servers tests start: each test process draws from its own band.

``free_port`` asks the system for any free port, which another test process (``pytest -n``)
or a kernel's sockets, drawn from the same ephemeral range, can take before Voila binds it. A
test server here listens on a port from its process's own band below the ephemeral range
(``/proc/sys/net/ipv4/ip_local_port_range`` starts at 32768), checked free, and each call moves
on, so a port a stopped server just released is not handed out again at once.
"""

from __future__ import annotations

import itertools
import os
import socket

from workforce.dashboards.server import HOST

FIRST_PORT = 20000
BAND = 1000
"""Ports per test process: gw0 gets 20000-20999, gw1 21000-21999, and so on."""
_offsets = itertools.count()


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def server_port() -> int:
    """A free port in this test process's band."""
    start = FIRST_PORT + _worker_index() * BAND
    for _ in range(BAND):
        port = start + next(_offsets) % BAND
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}-{start + BAND - 1}")
