"""Warm page kernels: started and loaded before a viewer asks, each handed to one page view.

A page view in Voila starts a fresh kernel, which then starts Python, loads ipykernel, widgets,
Plotly, Polars and the page's package modules, and only then builds the page. The
:class:`WarmKernelManager` keeps a few kernels that have done all of that except building a page:
each ran :func:`warm_up_code` (the import statements of the served notebooks) and nothing else.
A page view takes one, and the server then runs the sign-in cell and the page's cells in it as
for any kernel, so the page is built for the viewer's identity at request time. A kernel serves
one page view only and is never returned to the pool, so nothing of one viewer reaches another.

The pool refills one kernel at a time, and only while the kernels in use, being started, pooled
and warming stay below the kernel cap, so the memory the cap bounds includes the pool. Pooled
kernels are never culled as idle.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from traitlets import Int, Unicode

WARM_UP_TIMEOUT = 120
"""Seconds a pooled kernel may take to run its warm-up before it is shut down instead."""


def notebook_imports(notebook: Path) -> list[str]:
    """The top-level import statements of a notebook's code cells, as source lines.

    Cells that are not valid Python (magics, a half-edited cell) are skipped.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    imports: list[str] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        imports.extend(
            ast.unparse(node)
            for node in tree.body
            if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and not node.level)
        )
    return imports


def warm_up_code(notebooks: Path) -> str:
    """What a pooled kernel runs before any viewer: each served notebook's imports, once.

    Each import is tried on its own, so a broken page does not keep the others cold; the
    page itself then fails as it would without the pool.
    """
    lines: list[str] = []
    for notebook in sorted(notebooks.glob("*.ipynb")):
        for statement in notebook_imports(notebook):
            if statement not in lines:
                lines.append(statement)
    return "\n".join(f"try:\n    {statement}\nexcept Exception:\n    pass" for statement in lines)


class WarmKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager with a pool of warm kernels for page views (see the module)."""

    pool_size = Int(0, config=True, help="Warm kernels kept ready for page views; 0 for none.")
    max_kernels = Int(0, config=True, help="The server's kernel cap (0: none); bounds the pool.")
    warm_up = Unicode("", config=True, help="Code a pooled kernel runs before it is handed out.")
    pool_kernel_name = Unicode("python3", config=True, help="Kernel spec of pooled kernels.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ready: list[str] = []
        self.warming = 0
        """Kernels being started and warmed for the pool (one at a time)."""
        self._warming_ids: set[str] = set()
        self.starting = 0
        """Page views admitted whose kernel is not handed out yet (counted by the cap)."""
        self.pool_path = ""
        """The API path (working folder) pooled kernels start in: the served notebooks'."""
        self.pool_env: dict[str, str] = {}
        self.connected_once: set[str] = set()
        """Kernels a page has connected to, however briefly (see ``LeftPages``)."""

    def notify_connect(self, kernel_id: str) -> None:
        """Count a page's connection, and remember that one came: a page that connects and
        leaves between two of the server's checks must still count as left."""
        super().notify_connect(kernel_id)
        self.connected_once.add(kernel_id)

    @property
    def pooled(self) -> int:
        """Kernels ready or warming in the pool."""
        return len(self._ready) + self.warming

    def in_use(self) -> int:
        """Kernels serving page views (every kernel that is not in the pool)."""
        pool = {*self._ready, *self._warming_ids}
        return sum(1 for kernel_id in self.list_kernel_ids() if kernel_id not in pool)

    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        """A warm kernel when one is ready and fits the request, else a new one."""
        wanted_name = kwargs.get("kernel_name") or self.pool_kernel_name
        wanted_path = kwargs.get("path") or ""
        if (
            kwargs.get("kernel_id") is None
            and wanted_name == self.pool_kernel_name
            and wanted_path == self.pool_path
        ):
            while self._ready:
                kernel_id = self._ready.pop(0)
                if kernel_id in self:
                    self.log.info("Kernel %s handed out warm", kernel_id)
                    self.fill_soon()
                    return kernel_id
        kernel_id = str(await super().start_kernel(**kwargs))
        self.fill_soon()
        return kernel_id

    def fill_soon(self) -> None:
        """Refill the pool in the background (one kernel at a time)."""
        asyncio.get_event_loop().call_soon(lambda: asyncio.ensure_future(self.fill()))

    def _room(self) -> bool:
        if self.pooled >= self.pool_size:
            return False
        if not self.max_kernels:
            return True
        return self.in_use() + self.starting + self.pooled < self.max_kernels

    async def fill(self) -> None:
        """Warm kernels until the pool is full or the cap leaves no room; one at a time."""
        while self.warming == 0 and self._room():
            self.warming += 1
            try:
                kernel_id = await self._warm_kernel()
            finally:
                self.warming -= 1
            if kernel_id is None:
                return
            self._ready.append(kernel_id)

    async def _warm_kernel(self) -> str | None:
        kernel_id = str(
            await super().start_kernel(
                kernel_name=self.pool_kernel_name,
                path=ApiPath(self.pool_path),
                env=dict(self.pool_env),
            )
        )
        self._warming_ids.add(kernel_id)
        try:
            return await self._run_warm_up(kernel_id)
        finally:
            self._warming_ids.discard(kernel_id)

    async def _run_warm_up(self, kernel_id: str) -> str | None:
        client: Any = self.get_kernel(kernel_id).client()  # an asyncio client here
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=WARM_UP_TIMEOUT)
            if self.warm_up:
                await client.execute_interactive(
                    self.warm_up,
                    silent=True,
                    store_history=False,
                    timeout=WARM_UP_TIMEOUT,
                    output_hook=lambda message: None,
                )
        except Exception as error:  # a kernel that cannot warm up is not kept
            self.log.warning("Pooled kernel %s did not warm up: %s", kernel_id, error)
            client.stop_channels()
            await self.shutdown_kernel(kernel_id, now=True)
            return None
        client.stop_channels()
        self.log.info("Kernel %s warm and pooled", kernel_id)
        return kernel_id

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Idle pooled kernels are waiting for a viewer, not left behind: never culled."""
        if kernel_id in self._ready:
            return
        await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if kernel_id in self._ready:
            self._ready.remove(kernel_id)
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
