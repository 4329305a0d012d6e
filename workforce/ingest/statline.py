"""Download a CBS StatLine table through the CBS OData v3 API into Parquet files.

For table ``ID`` the client reads the service document ``<base>/<ID>/``, then every entity set
it lists except ``UntypedDataSet`` (a text copy of ``TypedDataSet``): ``TableInfos``,
``DataProperties``, ``CategoryGroups``, ``TypedDataSet`` and one table per dimension. Pages are
followed through ``odata.nextLink`` (CBS serves at most 10,000 rows per response). Each entity set
becomes ``<out>/<id>/<ID>_<EntitySet>.parquet``; ``<ID>_download.json`` records the title,
licence, attribution, source address and download time. The folder is replaced as a whole, only
after every download succeeded.

Only the standard library speaks HTTP here (``urllib``).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from workforce.ingest.cbs import OpenDataError
from workforce.store import new_version, version_stamp, write_frame

DEFAULT_BASE_URL = "https://opendata.cbs.nl/ODataApi/odata"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Bron: CBS"
REQUIRED_ENTITY_SETS = ("TableInfos", "DataProperties", "TypedDataSet")
SKIPPED_ENTITY_SETS = ("UntypedDataSet",)

_TABLE_ID = re.compile(r"^[0-9A-Za-z]{5,12}$")
_USER_AGENT = "workforce-statline-client/0.1 (+https://opendata.cbs.nl)"


class StatLineError(OpenDataError):
    """StatLine answered, but not with what a table download needs."""


class StatLineUnavailableError(StatLineError):
    """StatLine cannot be reached (no network, time-out, server error)."""


class UnknownTableError(StatLineError):
    """StatLine has no table with this id."""


@dataclass(frozen=True)
class FetchedTable:
    """What :func:`fetch_table` wrote."""

    table_id: str
    title: str
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    """Rows per entity set."""


def fetch_table(
    table_id: str,
    out: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = 60.0,
) -> FetchedTable:
    """Download StatLine table ``table_id`` into ``out/<id in lower case>/``."""
    if not _TABLE_ID.match(table_id):
        raise UnknownTableError(
            table_id, "not a StatLine table id (letters and digits, e.g. 80472ned)"
        )
    table_url = f"{base_url.rstrip('/')}/{table_id}/"
    client = _Client(timeout)
    service = client.get_json(table_url, table_id=table_id)
    names = _entity_set_names(table_url, service)

    entity_rows = {
        name: client.get_all(urllib.parse.urljoin(table_url, name))
        for name in names
        if name not in SKIPPED_ENTITY_SETS
    }
    infos = entity_rows["TableInfos"][0] if entity_rows["TableInfos"] else {}
    identifier = str(infos.get("Identifier") or table_id)
    title = str(infos.get("Title") or "").strip()

    folder = out / identifier.lower()
    versions = folder.with_name(f".{folder.name}.versions")
    with new_version(folder, versions, version_stamp()) as staging:
        for name, rows in entity_rows.items():
            write_frame(_as_frame(rows), staging / f"{identifier}_{name}.parquet")
        description = _description(identifier, title, infos, table_url, entity_rows)
        (staging / f"{identifier}_download.json").write_text(
            json.dumps(description, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return FetchedTable(
        identifier, title, folder, {name: len(rows) for name, rows in entity_rows.items()}
    )


class _Client:
    """JSON over HTTP GET, with StatLine's failures turned into :class:`StatLineError`."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def get_json(self, url: str, *, table_id: str | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            _with_json_format(url),
            headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404 and table_id is not None:
                raise UnknownTableError(table_id, f"StatLine has no such table ({url})") from None
            problem = f"StatLine answered HTTP {error.code} {error.reason}"
            if error.code >= 500:
                raise StatLineUnavailableError(url, problem) from None
            raise StatLineError(url, problem) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StatLineUnavailableError(
                url, f"cannot reach StatLine ({reason}); check the network connection"
            ) from None
        try:
            body = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StatLineError(url, "the answer is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            raise StatLineError(url, "the answer is not an OData v3 JSON body (no 'value' list)")
        return body

    def get_all(self, url: str) -> list[dict[str, Any]]:
        """Every row of an entity set, following ``odata.nextLink`` from page to page."""
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None:
            if next_url in seen:
                raise StatLineError(url, f"paging loops back to {next_url}")
            seen.add(next_url)
            body = self.get_json(next_url)
            rows.extend(body["value"])
            link = body.get("odata.nextLink")
            next_url = urllib.parse.urljoin(next_url, link) if link else None
        return rows


def _with_json_format(url: str) -> str:
    """``url`` with ``$format=json`` in its query, unless it already names a format."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "$format" for key, _ in query):
        return url
    query.insert(0, ("$format", "json"))
    encoded = urllib.parse.urlencode(query, safe="$,'()")
    return urllib.parse.urlunsplit(parts._replace(query=encoded))


def _entity_set_names(table_url: str, service: dict[str, Any]) -> list[str]:
    names = [str(item.get("name")) for item in service["value"] if isinstance(item, dict)]
    missing = [name for name in REQUIRED_ENTITY_SETS if name not in names]
    if missing:
        raise StatLineError(
            table_url,
            f"the service document lacks {', '.join(missing)}; is this an OData v3 table?",
        )
    return names


def _as_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows of one entity set as a frame; types are inferred over all rows."""
    if not rows:
        return pl.DataFrame()
    return pl.from_dicts(rows, infer_schema_length=None, strict=False)


def _description(
    identifier: str,
    title: str,
    infos: dict[str, Any],
    table_url: str,
    entity_rows: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    return {
        "table_id": identifier,
        "title": title,
        "short_title": infos.get("ShortTitle"),
        "period": infos.get("Period"),
        "frequency": infos.get("Frequency"),
        "modified": infos.get("Modified"),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "source_url": table_url,
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {
            name: {"file": f"{identifier}_{name}.parquet", "rows": len(rows)}
            for name, rows in entity_rows.items()
        },
    }
