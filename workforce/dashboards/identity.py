"""Who is looking: the signed-in identity a dashboard page is built for.

The server decides the identity from the request (an employer's access token, or a trusted
header from the organisation's login proxy; the shared token alone is the public view) and
starts the page's kernel with one extra first cell, :func:`sign_in_cell`, that records it here.
Pages read it with :func:`signed_in`; without a server (tests, JupyterLab) it is the public view.
The browser cannot change it: the page's kernel accepts only widget messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workforce.dashboards.access import active_record

EMPLOYER_USER = "employer:"
"""User names of employer-token sign-ins start with this, followed by the token's id."""
PUBLIC_USER = "public"


@dataclass(frozen=True)
class Identity:
    """An employer (``employer_id``) or the public (``None``), and how that was established."""

    employer_id: str | None = None
    source: str = "shared token"

    @property
    def is_public(self) -> bool:
        return self.employer_id is None


PUBLIC_IDENTITY = Identity()

_signed_in: Identity = PUBLIC_IDENTITY


def sign_in(employer_id: str | None, source: str = "shared token") -> None:
    """Record the identity the server established (the first cell of every page runs this)."""
    global _signed_in
    _signed_in = Identity(employer_id=employer_id or None, source=source)


def signed_in() -> Identity:
    """The identity this page was opened with (the public view unless the server said more)."""
    return _signed_in


def sign_in_cell(identity: Identity) -> str:
    """The code of the cell the server runs before a page's own cells."""
    return (
        "from workforce.dashboards.identity import sign_in as _sign_in\n"
        f"_sign_in({identity.employer_id!r}, {identity.source!r})\n"
        "del _sign_in"
    )


def resolve_identity(
    user_name: str | None, header_value: str | None, *, data_dir: Path
) -> Identity:
    """The identity of a request: an active employer token first, then the proxy's header.

    ``user_name`` is the signed-in user's name (``employer:<token id>`` after an employer
    token; anything else is the shared token); ``header_value`` is the trusted header's value,
    ``None`` when the header is not trusted or absent. A revoked token gives the public view.
    """
    if user_name and user_name.startswith(EMPLOYER_USER):
        record = active_record(data_dir, user_name.removeprefix(EMPLOYER_USER))
        if record is not None:
            return Identity(record.employer_id, "employer token")
    employer = (header_value or "").strip()
    if employer:
        return Identity(employer, "proxy header")
    return PUBLIC_IDENTITY
