"""The README's figures, copied from the generated reports.

Regenerate with ``python -m workforce.docs_gen.readme_figures``.

The README shows where accuracy stands; the numbers come from ``docs/accuracy.md`` (written by
``workforce report accuracy``) and ``docs/outlook-backtest.md`` (written by
``workforce report outlook-backtest``), never typed by hand. This command rewrites the
block between the markers; a test fails when the block is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = "<!-- figures:start (python -m workforce.docs_gen.readme_figures) -->"
END = "<!-- figures:end -->"


def accuracy_lines(report: str) -> list[str]:
    """One line per series group of the accuracy report: its engine-versus-baselines sentence."""
    lines = []
    group = ""
    for line in report.splitlines():
        if line.startswith("### "):
            group = re.sub(r"\s*\(.*\)$", "", line[4:]).strip()
        elif line.startswith("Engine MASE") and group:
            sentence = line.split(". Positive means")[0]
            lines.append(f"- {group}: {sentence}.")
    return lines


def backtest_lines(report: str) -> list[str]:
    """The outlook backtest's summary: point errors and interval coverage side by side."""
    lines: list[str] = []
    inside = False
    for line in report.splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Summary"
        elif inside and line.lstrip().startswith("- "):
            lines.append(line)
    return lines


def block(root: Path = ROOT) -> str:
    """The README block from the current reports."""
    accuracy = (root / "docs" / "accuracy.md").read_text(encoding="utf-8")
    backtest = (root / "docs" / "outlook-backtest.md").read_text(encoding="utf-8")
    lines = [
        START,
        "Forecast engine on real CBS series, MASE against naive baselines "
        "([accuracy.md](docs/accuracy.md)):",
        "",
        *accuracy_lines(accuracy),
        "",
        "Outlook from past origins on the generated region "
        "([outlook-backtest.md](docs/outlook-backtest.md)):",
        "",
        *backtest_lines(backtest),
        END,
    ]
    return "\n".join(lines)


def updated(readme: str, new_block: str) -> str:
    """``readme`` with its figures block replaced by ``new_block``."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise ValueError(f"README has no block between {START!r} and {END!r}")
    return pattern.sub(lambda _: new_block, readme)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    try:
        readme.write_text(updated(text, block()), encoding="utf-8")
    except ValueError as error:
        sys.exit(str(error))
    print(f"Updated the figures in {readme}.")


if __name__ == "__main__":
    main()
