"""Which code produced an output: the package version and, in a git checkout, the commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from workforce import __version__


def git_commit() -> str | None:
    """The commit of the checkout the package runs from, or None outside git."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def code_version() -> str:
    """``0.1.0``, or ``0.1.0+<short commit>`` when running from a git checkout."""
    commit = git_commit()
    return f"{__version__}+{commit[:7]}" if commit else __version__
