"""Kernels of pages the browser left are shut down, and one slow shutdown holds up no other."""

from __future__ import annotations

import asyncio

from workforce.dashboards.voila_app import LeftPages


class Kernels:
    """The parts of the server's kernel manager that :class:`LeftPages` reads: connection
    counts, and a shutdown that never ends for the kernels named in ``stuck``."""

    def __init__(self, ids: list[str], stuck: set[str]) -> None:
        self._kernel_connections = {kernel_id: 1 for kernel_id in ids}
        self.stuck = stuck
        self.stopped: list[tuple[str, bool]] = []

    async def shutdown_kernel(self, kernel_id: str, now: bool = False) -> None:
        if kernel_id in self.stuck:
            await asyncio.Event().wait()  # never set: a kernel that does not stop
        self.stopped.append((kernel_id, now))
        self._kernel_connections.pop(kernel_id)


def test_a_hanging_shutdown_does_not_keep_later_left_pages() -> None:
    async def scenario() -> Kernels:
        kernels = Kernels(["a", "b", "c"], stuck={"a"})
        left = LeftPages(kernels, after=0)
        await asyncio.wait_for(left.check(), 1)  # all three connected
        kernels._kernel_connections["a"] = 0
        await asyncio.wait_for(left.check(), 1)  # a left
        await asyncio.wait_for(left.check(), 1)  # a's shutdown starts and hangs
        for kernel_id in ("b", "c"):
            kernels._kernel_connections[kernel_id] = 0
            await asyncio.wait_for(left.check(), 1)
            await asyncio.wait_for(left.check(), 1)
        await asyncio.sleep(0.1)
        for task in list(left.stopping.values()):
            task.cancel()
        return kernels

    kernels = asyncio.run(scenario())
    assert kernels.stopped == [("b", True), ("c", True)]


def test_a_connected_page_keeps_its_kernel() -> None:
    async def scenario() -> Kernels:
        kernels = Kernels(["a"], stuck=set())
        left = LeftPages(kernels, after=0)
        for _ in range(3):
            await left.check()
        await asyncio.sleep(0.1)
        return kernels

    assert asyncio.run(scenario()).stopped == []


def test_a_page_that_came_and_went_between_two_checks_is_released() -> None:
    """A viewer who opens a page and leaves within the check interval: the manager saw the
    connection come (``connected_once``) though no check saw it open."""

    async def scenario() -> Kernels:
        kernels = Kernels(["quick", "waiting"], stuck=set())
        kernels._kernel_connections = {"quick": 0, "waiting": 0}
        kernels.connected_once = {"quick", "gone"}  # type: ignore[attr-defined]
        left = LeftPages(kernels, after=0)
        await left.check()  # quick left: its time starts
        await left.check()  # and is up
        await asyncio.sleep(0.1)
        assert kernels.connected_once == {"quick"}, "a kernel no longer there is forgotten"  # type: ignore[attr-defined]
        return kernels

    assert asyncio.run(scenario()).stopped == [("quick", True)], "waiting: its page may come"
