"""The README is the front door and docs/ the reference: the README stays short and names every
command with an example, and every relative link in README.md and docs/*.md leads to a file
(and a heading) that exists. The generated parts of docs/ are kept current by
tests/test_schema.py::test_generated_docs_are_fresh, the examples by tests/test_analysts.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
README_MAX_LINES = 300


FENCED_CODE_RE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE_RE = re.compile(r"`[^`\n]*`")
INLINE_LINK_RE = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK_RE = re.compile(r"^\s*\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
EXTERNAL_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # https:, mailto:, file: …
ISO_DATE_RE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


def _prose(markdown: str) -> str:
    """The text outside fenced code blocks: a `# comment` in a shell block is no heading."""
    return FENCED_CODE_RE.sub("", markdown)


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as
    hyphens, and -1, -2 … on repeats."""
    anchors: set[str] = set()
    for heading in HEADING_RE.findall(_prose(markdown)):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchor, repeat = slug, 0
        while anchor in anchors:
            repeat += 1
            anchor = f"{slug}-{repeat}"
        anchors.add(anchor)
    return anchors


def relative_links(markdown: str) -> list[str]:
    """Every link target of a page that is not an external URL (code spans and blocks are not
    links)."""
    prose = INLINE_CODE_RE.sub("", _prose(markdown))
    targets = INLINE_LINK_RE.findall(prose) + REFERENCE_LINK_RE.findall(prose)
    return [target for target in targets if not EXTERNAL_RE.match(target)]


def broken_links(page: Path, root: Path = REPO_ROOT):
    """Each relative link of ``page`` that leads nowhere in ``root``, with why: a missing file,
    a path out of the repository, or a missing heading."""
    problems = []
    text = page.read_text(encoding="utf-8")
    for target in relative_links(text):
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page.resolve()
        if not resolved.is_relative_to(root.resolve()):
            problems.append((target, "leads out of the repository"))
            continue
        name = resolved.relative_to(root.resolve()).as_posix()
        if not resolved.exists():
            problems.append((target, f"{name} does not exist"))
            continue
        if (
            anchor
            and resolved.suffix == ".md"
            and anchor not in heading_anchors(resolved.read_text(encoding="utf-8"))
        ):
            problems.append((target, f"{name} has no heading #{anchor}"))
    return problems


def _section(markdown: str, title: str) -> str:
    """The text of the `## title` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match[1]


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): reference belongs in docs/"
    )


def test_quickstart_is_make_run_and_make_test():
    quickstart = _section(README.read_text(encoding="utf-8"), "Quickstart")
    block = re.search(r"```sh\n(.*?)```", quickstart, re.S)
    assert block and block[1] == "make run\nmake test\n", quickstart


def test_readme_has_no_dated_figures():
    """Dated figures (a benchmark's, a day's) live in docs/benchmark.md and the git log."""
    dates = ISO_DATE_RE.findall(README.read_text(encoding="utf-8"))
    assert not dates, dates


def test_every_command_has_an_example_in_the_readme():
    from flows.cli import app

    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"run", "history", "releases", "download", "diff", "show", "serve"} <= set(commands)
    section = _section(README.read_text(encoding="utf-8"), "Commands")
    examples = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))
    for command in commands:
        assert f"`mekdata {command}`" in section, f"README says nothing of `mekdata {command}`"
        assert re.search(rf"^mekdata {command}\b", examples, re.M), (
            f"README has no example of `mekdata {command}`"
        )


def test_readme_links_every_docs_page():
    links = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in relative_links(README.read_text(encoding="utf-8"))
    }
    unlinked = [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in links]
    assert not unlinked, f"README's 'Read on' does not link {unlinked}"


@pytest.mark.parametrize("page", _pages(), ids=lambda page: page.relative_to(REPO_ROOT).as_posix())
def test_relative_links_resolve(page):
    assert broken_links(page) == []


def test_link_checker_finds_what_is_broken(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "target.md").write_text(
        "# Target page\n\n## Checks of `history` releases\n\n## Twice\n\n## Twice\n",
        encoding="utf-8",
    )
    page = tmp_path / "README.md"
    page.write_text(
        "# Page\n\n"
        "[fine](docs/target.md) [fine](docs/target.md#checks-of-history-releases) "
        "[fine](docs/target.md#twice-1) [fine](#page) [web](https://example.org/x.md)\n"
        "`[code](docs/nowhere.md)`\n\n```md\n[block](docs/nowhere.md)\n```\n\n"
        "[missing](docs/missing.md) [anchor](docs/target.md#gone) [up](../outside.md)\n"
        "[ref]: docs/also-missing.md\n",
        encoding="utf-8",
    )
    assert broken_links(page, root=tmp_path) == [
        ("docs/missing.md", "docs/missing.md does not exist"),
        ("docs/target.md#gone", "docs/target.md has no heading #gone"),
        ("../outside.md", "leads out of the repository"),
        ("docs/also-missing.md", "docs/also-missing.md does not exist"),
    ]
