"""One decision of "nothing to do" (flows/unchanged.py): `mekdata run`'s check before it starts
anything and the release flow's check before it reads the source agree, on real releases."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME
from mediawiki_emulator import MediaWikiEmulator
from wiki_html import article_html

from flows.cli import unchanged_before_starting
from flows.release_flow import unchanged_before_reading
from ingestion.source import BUNDLED_SOURCE
from ingestion.spec import SourceSpec
from ingestion.wikipedia import WikiClient, revision_text
from storage.publish import publish_release
from transforms import extract_all

PAGE = "Unchanged decision page"
OTHER_PAGE = "Another page on the same wiki"


def decisions(spec: SourceSpec, output, wiki_api: str | None = None):
    """(the CLI's, the flow's) decision, each as (version, reason) or None. The flow is given
    the revision as its wiki-revision step asks for it."""
    revision = None
    if spec.wiki is not None:
        with WikiClient(wiki_api) as client:
            revision = client.revision(spec.wiki)
    cli = unchanged_before_starting(spec, str(output), wiki_api)
    flow = unchanged_before_reading.fn(spec, str(output), revision)
    return tuple(None if d is None else (d.version, d.reason) for d in (cli, flow))


@pytest.fixture(scope="module")
def file_release(tables, source, tmp_path_factory):
    output = tmp_path_factory.mktemp("file-release")
    result = publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    return output, result.version


@pytest.fixture(scope="module")
def emulated_wiki(article_text):
    """Two revisions of PAGE (the release is built from the later one) and another page."""
    emulator = MediaWikiEmulator()
    html = article_html(article_text)
    older = emulator.add_revision(PAGE, html.replace("</p>", " Older.</p>", 1))
    emulator.add_revision(PAGE, html)
    emulator.add_revision(OTHER_PAGE, html)
    emulator.start()
    yield emulator, older
    emulator.stop()


@pytest.fixture(scope="module")
def wiki_release(emulated_wiki, tmp_path_factory):
    emulator, _ = emulated_wiki
    output = tmp_path_factory.mktemp("wiki-release")
    with WikiClient(emulator.api_url) as client:
        revision = client.revision(SourceSpec.parse(f"wikipedia:{PAGE}").wiki)
        text = revision_text(revision, client.parse_html(revision))
    tables = extract_all(text.text, text.reference_anchors)
    result = publish_release(tables, text, PASSED_VALIDATION, output, now=RELEASE_TIME)
    return output, result.version, revision.revid


def test_the_same_file_is_unchanged(file_release, tmp_path):
    output, version = file_release
    copy = tmp_path / "copy.txt"
    copy.write_bytes(BUNDLED_SOURCE.read_bytes())
    expected = (version, "source and code")
    assert decisions(SourceSpec.parse(None), output) == (expected, expected)
    assert decisions(SourceSpec.parse(str(copy)), output) == (expected, expected)


@pytest.mark.parametrize("change", ["edited", "missing", "url", "wiki"])
def test_another_input_is_not(file_release, emulated_wiki, tmp_path, change):
    output, _ = file_release
    emulator, _ = emulated_wiki
    text = tmp_path / "article.txt"
    if change == "edited":
        data = BUNDLED_SOURCE.read_bytes()
        text.write_bytes(data.replace(b"the", b"teh", 1))
    given = {"url": "http://127.0.0.1:9/article.txt", "wiki": f"wikipedia:{PAGE}"}
    spec = SourceSpec.parse(given.get(change, str(text)))
    emulator.reset()
    assert decisions(spec, output, emulator.api_url) == (None, None)
    if change == "wiki":  # the CLI asked nothing: the latest release is not of a wiki
        assert [r.params["action"] for r in emulator.log] == ["query"]  # the flow's own ask


@pytest.mark.parametrize("damage", ["other code", "release folder gone", "no index", "bad index"])
def test_a_doubtful_output_is_not(file_release, tmp_path, damage):
    output = tmp_path / "out"
    shutil.copytree(file_release[0], output)
    index_file = output / "index.json"
    if damage == "other code":
        index = json.loads(index_file.read_text())
        index["versions"][-1]["build_fingerprint"] = "0" * 64
        index_file.write_text(json.dumps(index))
    elif damage == "release folder gone":
        shutil.rmtree(output / "releases" / file_release[1])
    elif damage == "no index":
        index_file.unlink()
    else:
        index_file.write_text("{not json")
    assert decisions(SourceSpec.parse(None), output) == (None, None)


def test_the_same_revision_is_unchanged(wiki_release, emulated_wiki):
    output, version, revid = wiki_release
    emulator, _ = emulated_wiki
    expected = (version, f'revision {revid} of "{PAGE}" and the code')
    latest, pinned = f"wikipedia:{PAGE}", f"wikipedia:{PAGE.replace(' ', '_')}@{revid}"
    for given in (latest, pinned):
        assert decisions(SourceSpec.parse(given), output, emulator.api_url) == (
            expected,
            expected,
        )
    # Before starting, the CLI asks one small query for the latest revision, none when pinned.
    for given, asked in ((latest, ["query"]), (pinned, [])):
        emulator.reset()
        assert unchanged_before_starting(SourceSpec.parse(given), str(output), emulator.api_url)
        assert [r.params["action"] for r in emulator.log] == asked


def test_another_revision_page_or_wiki_is_not(wiki_release, emulated_wiki):
    output, _, _ = wiki_release
    emulator, older = emulated_wiki
    other_spelling = emulator.api_url.replace("127.0.0.1", "localhost")
    for given, api in [
        (f"wikipedia:{PAGE}@{older.revid}", emulator.api_url),
        (f"wikipedia:{OTHER_PAGE}", emulator.api_url),
        (f"wikipedia:{PAGE}", other_spelling),  # recorded under another api.php address
    ]:
        assert decisions(SourceSpec.parse(given), output, api) == (None, None), (given, api)


def test_a_file_against_a_wiki_release_is_not(wiki_release):
    assert decisions(SourceSpec.parse(None), wiki_release[0]) == (None, None)
