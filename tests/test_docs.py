"""The docs stay true: every relative link resolves, every command they name exists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from workforce.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MARKDOWN_FILES = sorted(
    [ROOT / "README.md", *DOCS.glob("*.md"), *ROOT.glob("notebooks/*.md")],
)
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb"))

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_HTML_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def links(markdown: str) -> list[str]:
    """Link targets in Markdown text, outside fenced code blocks and code spans."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", markdown))
    return [
        match.group(1)
        for pattern in (_INLINE_LINK, _REFERENCE_LINK, _HTML_LINK)
        for match in pattern.finditer(text)
    ]


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {github_anchor(heading) for heading in _HEADING.findall(_FENCE.sub("", markdown))}


def broken_links(source: Path, markdown: str) -> list[str]:
    """Relative links from ``source`` whose file (or heading anchor) does not exist."""
    problems = []
    for target in links(markdown):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto:, ...
            continue
        path_part, _, anchor = target.partition("#")
        file = (source.parent / path_part).resolve() if path_part else source
        if not file.exists():
            problems.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md":
            text = file.read_text(encoding="utf-8") if file != source else markdown
            if anchor not in anchors(text):
                problems.append(f"{target} (no heading #{anchor})")
    return problems


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    problems = broken_links(path, path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: broken links: {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_links_resolve(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    problems = broken_links(path, markdown)
    assert not problems, f"{path.name}: broken links: {problems}"


def test_docs_index_links_every_document() -> None:
    index = DOCS / "README.md"
    linked = {(DOCS / target.partition("#")[0]).resolve() for target in links(index.read_text())}
    missing = [p.name for p in DOCS.glob("*.md") if p != index and p.resolve() not in linked]
    assert not missing, f"docs/README.md does not link {missing}"


_COMMAND_LINE = re.compile(
    r"^\s*(?:\$ )?(?:[A-Z_]+=\S+ )*(?:\S*/)?workforce"
    r" ([a-z][a-z-]*)(?: ([a-z][a-z-]*)(?![\w./*-]))?",
    re.MULTILINE,
)
_FENCED_BODY = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1", re.MULTILINE | re.DOTALL)


def command_mentions(markdown: str) -> list[tuple[str, str | None]]:
    """``workforce COMMAND [SUB]`` as typed in code blocks and at the start of code spans."""
    code = [match.group(2) for match in _FENCED_BODY.finditer(markdown)]
    code += [span.strip("`") for span in _CODE_SPAN.findall(_FENCE.sub("", markdown))]
    return [
        (match.group(1), match.group(2)) for text in code for match in _COMMAND_LINE.finditer(text)
    ]


def unknown_commands(markdown: str) -> list[str]:
    """Commands (and a group's sub-commands) the text tells people to type that do not exist."""
    import typer.main

    root = typer.main.get_command(app)
    context = root.context_class(root, info_name="workforce")
    unknown = []
    for name, sub in command_mentions(markdown):
        command = root.get_command(context, name)
        if command is None:
            unknown.append(f"workforce {name}")
        elif (
            sub is not None
            and hasattr(command, "list_commands")
            and sub not in command.list_commands(context)
        ):
            unknown.append(f"workforce {name} {sub}")
    return unknown


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_commands_in_docs_exist(path: Path) -> None:
    """A command the docs tell people to type must exist (and a group's sub-command too)."""
    unknown = unknown_commands(path.read_text(encoding="utf-8"))
    assert not unknown, f"{path.relative_to(ROOT)} mentions unknown commands: {unknown}"


def test_unknown_commands_are_reported() -> None:
    markdown = "```bash\nworkforce build\nworkforce rebuild\nworkforce report speed\n```\n"
    assert unknown_commands(markdown) == ["workforce rebuild", "workforce report speed"]


def test_command_mentions_are_found_in_code_only() -> None:
    markdown = (
        "Run `workforce build` and `.venv/bin/workforce report quality`; the workforce table.\n"
        "```bash\n$ workforce forecast --folds 4\nKEY=x workforce pseudonymise a.csv\n"
        'author = "Regional workforce table"\n```\n'
    )
    assert sorted(command_mentions(markdown), key=str) == sorted(
        [("build", None), ("report", "quality"), ("forecast", None), ("pseudonymise", None)],
        key=str,
    )


def test_notebooks_readme_lists_every_notebook() -> None:
    readme = ROOT / "notebooks" / "README.md"
    linked = {target.partition("#")[0] for target in links(readme.read_text(encoding="utf-8"))}
    missing = [path.name for path in NOTEBOOKS if path.name not in linked]
    assert not missing, f"notebooks/README.md does not list {missing}: add a row for each"


def test_link_checker_finds_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A heading\n")
    page = tmp_path / "page.md"
    markdown = (
        "[ok](there.md) [ok](there.md#a-heading) [web](https://example.org) "
        "[gone](missing.md) [bad anchor](there.md#nothing)\n```\n[in code](nowhere.md)\n```\n"
    )
    assert broken_links(page, markdown) == [
        "missing.md (no such file)",
        "there.md#nothing (no heading #nothing)",
    ]
