"""The StatLine client over real HTTP, against recorded CBS OData v3 answers on 127.0.0.1.

The answers in ``recorded/statline/`` are real 83583NED content (see
``recorded/make_statline_recordings.py``); the server below swaps their CBS address for its own.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.ingest.statline import (
    StatLineError,
    StatLineUnavailableError,
    UnknownTableError,
    fetch_table,
)

RECORDED = Path(__file__).parent / "recorded" / "statline"
CBS_BASE = "https://opendata.cbs.nl/ODataApi/odata"
ODATA_PREFIX = "/ODataApi/odata/"
TABLE = "83583NED"

runner = CliRunner()


class RecordedStatLine(ThreadingHTTPServer):
    """Serves ``recorded/statline/<TABLE>/<EntitySet>[_skipN].json`` like CBS OData v3."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}{ODATA_PREFIX.rstrip('/')}"
        self.requests: list[str] = []
        self.failing: set[str] = set()
        """Recorded answer names that get an HTTP 500 instead."""


class _Handler(BaseHTTPRequestHandler):
    server: RecordedStatLine

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        if not parts.path.startswith(ODATA_PREFIX):
            self._send(404, {"odata.error": {"message": {"value": "Not found"}}})
            return
        table, _, entity = parts.path.removeprefix(ODATA_PREFIX).partition("/")
        skip = parse_qs(parts.query).get("$skip")
        name = (entity or "service") + (f"_skip{skip[0]}" if skip else "")
        recorded = RECORDED / table.upper() / f"{name}.json"
        if name in self.server.failing:
            self._send(500, {"odata.error": {"message": {"value": "Internal Server Error"}}})
        elif not recorded.is_file():
            self._send(404, {"odata.error": {"message": {"value": f"No table {table}"}}})
        else:
            text = recorded.read_text(encoding="utf-8").replace(CBS_BASE, self.server.base_url)
            self._send(200, text)

    def _send(self, status: int, body: object) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;odata=minimalmetadata;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def statline() -> Iterator[RecordedStatLine]:
    server = RecordedStatLine()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: StatLine seen from an offline machine."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{ODATA_PREFIX.rstrip('/')}"


def recorded_rows(*names: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name in names:
        body = json.loads((RECORDED / TABLE / f"{name}.json").read_text(encoding="utf-8"))
        rows.extend(body["value"])
    return rows


def test_fetch_follows_every_page(statline: RecordedStatLine, tmp_path: Path) -> None:
    fetched = fetch_table(TABLE, tmp_path, base_url=statline.base_url)

    assert fetched.folder == tmp_path / "83583ned"
    observations = pl.read_parquet(fetched.folder / "83583NED_TypedDataSet.parquet")
    pages = recorded_rows("TypedDataSet", "TypedDataSet_skip150", "TypedDataSet_skip300")
    assert observations.height == len(pages) == 360
    assert observations["ID"].to_list() == [row["ID"] for row in pages]
    assert fetched.rows["TypedDataSet"] == 360

    typed_requests = [path for path in statline.requests if "/TypedDataSet" in path]
    assert len(typed_requests) == 3
    assert any("$skip=150" in path for path in typed_requests)
    assert any("$skip=300" in path for path in typed_requests)
    assert all("$format=json" in path for path in statline.requests)
    assert not any("UntypedDataSet" in path for path in statline.requests)


def test_fetched_values_are_the_cbs_figures(statline: RecordedStatLine, tmp_path: Path) -> None:
    folder = fetch_table(TABLE, tmp_path, base_url=statline.base_url).folder
    observations = pl.read_parquet(folder / "83583NED_TypedDataSet.parquet")
    # cbs.v3.83583NED_TypedDataSet.parquet, ID 6549: 422400 (Q), T001098 (all sizes), 2019JJ00,
    # 1421.31 thousand jobs of employees in December
    q_2019 = observations.filter(
        pl.col("BedrijfstakkenBranchesSBI2008") == "422400 ",
        pl.col("Bedrijfsgrootte") == "T001098",
        pl.col("Perioden") == "2019JJ00",
    )
    assert q_2019["ID"].item() == 6549
    assert q_2019["BanenVanWerknemersInDecember_1"].item() == pytest.approx(1421.31)

    sectors = pl.read_parquet(folder / "83583NED_BedrijfstakkenBranchesSBI2008.parquet")
    titles = dict(zip(sectors["Key"].str.strip_chars(), sectors["Title"], strict=True))
    assert titles["422400"] == "Q Gezondheids- en welzijnszorg"
    periods = pl.read_parquet(folder / "83583NED_Perioden.parquet")
    assert periods.height == 10
    properties = pl.read_parquet(folder / "83583NED_DataProperties.parquet")
    topic = properties.filter(pl.col("Type") == "Topic")
    assert topic["Key"].item() == "BanenVanWerknemersInDecember_1"
    assert topic["Unit"].item() == "x 1 000"


def test_download_description(statline: RecordedStatLine, tmp_path: Path) -> None:
    before = datetime.now(UTC)
    folder = fetch_table(TABLE, tmp_path, base_url=statline.base_url).folder
    description = json.loads((folder / "83583NED_download.json").read_text(encoding="utf-8"))
    assert description["table_id"] == TABLE
    assert description["title"] == (
        "Banen van werknemers; bedrijfsgrootte en economische activiteit (SBI2008)"
    )
    assert description["licence"] == "CC BY 4.0"
    assert description["attribution"] == "Bron: CBS"
    assert description["source_url"] == f"{statline.base_url}/{TABLE}/"
    downloaded = datetime.fromisoformat(description["downloaded_at"])
    assert before - timedelta(seconds=1) <= downloaded <= datetime.now(UTC)
    files = description["files"]
    assert files["TypedDataSet"] == {"file": "83583NED_TypedDataSet.parquet", "rows": 360}
    assert set(files) == {
        "TableInfos",
        "TypedDataSet",
        "DataProperties",
        "CategoryGroups",
        "BedrijfstakkenBranchesSBI2008",
        "Bedrijfsgrootte",
        "Perioden",
    }
    for entry in files.values():
        assert (folder / entry["file"]).is_file()


def test_unknown_table(statline: RecordedStatLine, tmp_path: Path) -> None:
    with pytest.raises(UnknownTableError, match="99999NED"):
        fetch_table("99999NED", tmp_path, base_url=statline.base_url)
    assert list(tmp_path.iterdir()) == []


def test_table_id_that_is_no_id_sends_no_request(
    statline: RecordedStatLine, tmp_path: Path
) -> None:
    with pytest.raises(UnknownTableError, match="not a StatLine table id"):
        fetch_table("../83583NED", tmp_path, base_url=statline.base_url)
    assert statline.requests == []


def test_offline(closed_port_url: str, tmp_path: Path) -> None:
    with pytest.raises(StatLineUnavailableError, match="cannot reach StatLine"):
        fetch_table(TABLE, tmp_path, base_url=closed_port_url, timeout=5)


def test_failed_download_keeps_the_previous_copy(
    statline: RecordedStatLine, tmp_path: Path
) -> None:
    folder = fetch_table(TABLE, tmp_path, base_url=statline.base_url).folder
    before = sorted(path.name for path in folder.iterdir())
    statline.failing.add("TypedDataSet_skip300")
    with pytest.raises(StatLineError, match="HTTP 500"):
        fetch_table(TABLE, tmp_path, base_url=statline.base_url)
    assert sorted(path.name for path in folder.iterdir()) == before
    assert _visible(tmp_path) == ["83583ned"]
    assert not list(tmp_path.rglob("*.partial"))


def test_fetch_again_replaces_the_folder(statline: RecordedStatLine, tmp_path: Path) -> None:
    folder = fetch_table(TABLE, tmp_path, base_url=statline.base_url).folder
    (folder / "stale.parquet").write_bytes(b"")
    fetch_table(TABLE.lower(), tmp_path, base_url=statline.base_url)
    assert not (folder / "stale.parquet").exists()
    assert (folder / "83583NED_TypedDataSet.parquet").is_file()
    assert _visible(tmp_path) == ["83583ned"]
    assert not list(tmp_path.rglob("*.partial"))


def test_command_downloads(statline: RecordedStatLine, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["fetch-cbs", TABLE, "--out", str(tmp_path), "--base-url", statline.base_url]
    )
    assert result.exit_code == 0, result.output
    assert "360 observations" in result.output
    assert "Bron: CBS" in result.output
    assert (tmp_path / "83583ned" / "83583NED_TypedDataSet.parquet").is_file()


def test_command_unknown_table_exits_2(statline: RecordedStatLine, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["fetch-cbs", "99999NED", "--out", str(tmp_path), "--base-url", statline.base_url]
    )
    assert result.exit_code == 2
    assert "no such table" in result.output
    assert "Traceback" not in result.output


def test_command_offline_exits_2(closed_port_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "fetch-cbs",
            TABLE,
            "--out",
            str(tmp_path),
            "--base-url",
            closed_port_url,
            "--timeout",
            "5",
        ],
    )
    assert result.exit_code == 2
    assert "cannot reach StatLine" in result.output
    assert "Traceback" not in result.output


def _visible(folder: Path) -> list[str]:
    """Names in ``folder`` a user sees (the versions behind the table's link are hidden)."""
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
