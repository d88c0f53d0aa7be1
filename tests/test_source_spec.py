"""--source parsed once (ingestion/spec.py): what each spelling names, the text given back
unchanged, and a clear error for what names no source."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_mekdata

from ingestion.source import BUNDLED_SOURCE
from ingestion.spec import SourceKind, SourceSpec
from ingestion.wikipedia import WikiSource
from mekdata.errors import SourceError


@pytest.mark.parametrize(
    ("given", "kind", "location", "wiki"),
    [
        (None, SourceKind.BUNDLED, str(BUNDLED_SOURCE), None),
        ("", SourceKind.BUNDLED, str(BUNDLED_SOURCE), None),
        ("sources/article.txt", SourceKind.PATH, "sources/article.txt", None),
        ("/tmp/a b/article.txt", SourceKind.PATH, "/tmp/a b/article.txt", None),
        # Not the wiki prefix (it is case-sensitive and must come first): a file name.
        ("Wikipedia:Foo", SourceKind.PATH, "Wikipedia:Foo", None),
        (" wikipedia:Foo", SourceKind.PATH, " wikipedia:Foo", None),
        ("https://example.org/a.txt", SourceKind.URL, "https://example.org/a.txt", None),
        ("HTTP://127.0.0.1:8000/a.txt", SourceKind.URL, "HTTP://127.0.0.1:8000/a.txt", None),
        ("wikipedia:Some page", SourceKind.WIKIPEDIA, "", WikiSource("Some page")),
        ("wikipedia:Some_page@42", SourceKind.WIKIPEDIA, "", WikiSource("Some page", 42)),
    ],
)
def test_parse(given, kind, location, wiki):
    spec = SourceSpec.parse(given)
    assert (spec.kind, spec.location, spec.wiki) == (kind, location, wiki)
    # The text as given, so that flow parameters and provenance keep it.
    assert str(spec) == (given or "")
    assert spec.parameter == (given or None)
    assert SourceSpec.parse(spec.parameter) == spec


def test_equal_specs_name_the_same_source_whatever_the_spelling():
    underscores = SourceSpec.parse("wikipedia:Some_page@42")
    spaces = SourceSpec.parse("wikipedia:Some page@42")
    assert underscores == spaces and str(underscores) != str(spaces)


def test_kinds_answer_what_the_layers_ask():
    bundled, path = SourceSpec.parse(None), SourceSpec.parse("a.txt")
    url, wiki = SourceSpec.parse("https://example.org/a"), SourceSpec.parse("wikipedia:A")
    assert bundled.is_file and bundled.path == BUNDLED_SOURCE
    assert path.is_file and path.path == Path("a.txt")
    assert url.is_url and not url.is_file and not url.is_wikipedia
    assert wiki.is_wikipedia and not wiki.is_file
    with pytest.raises(ValueError, match="not a file"):
        _ = wiki.path


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("   ", "is blank"),
        ("\n", "is blank"),
        ("http://", "names no host"),
        ("https:///article.txt", "names no host"),
        ("ftp://example.org/a.txt", "only http\\(s\\) URLs are read"),
        ("file:///tmp/a.txt", "only http\\(s\\) URLs are read"),
        ("wikipedia:", "not of the form wikipedia:<Title>"),
        ("wikipedia:A|B", "names no valid page title"),
        ("wikipedia:Page@0", "must be a positive whole number"),
        ("wikipedia:Page@latest", "must be a positive whole number"),
    ],
)
def test_bad_source_is_refused_clearly(given, message):
    with pytest.raises(SourceError, match=message):
        SourceSpec.parse(given)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("sources/article.txt", "a history is read from a wiki"),
        ("https://example.org/a.txt", "a history is read from a wiki"),
        ("wikipedia:Page@7", "pins one revision"),
    ],
)
def test_a_history_needs_an_unpinned_page(given, message):
    with pytest.raises(SourceError, match=message):
        SourceSpec.parse(given).history_page()


def test_history_page():
    assert SourceSpec.parse("wikipedia:Some_page").history_page() == WikiSource("Some page")


@pytest.mark.parametrize(
    ("command", "given", "message"),
    [
        ("run", "ftp://example.org/a.txt", "only http(s) URLs are read"),
        ("run", "wikipedia:Page@latest", "must be a positive whole number"),
        ("history", "sources/article.txt", "a history is read from a wiki"),
    ],
)
def test_cli_refuses_a_bad_source_before_starting_anything(command, given, message, tmp_path):
    """Exit 2 with the message, no Prefect server started, nothing written."""
    output = tmp_path / "out"
    result = run_mekdata(command, "--source", given, "--output", str(output), timeout=60)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "Prefect server" not in result.stderr
    assert not output.exists()
