"""Shared fixtures: the bundled article, its Document and its tables (extracted once)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTICLE_PATH = REPO_ROOT / "sources" / "peoples-mujahedin-of-iran.txt"

# A fixed publication time, and a validation report for publishing tests that are not about
# validation (the gate itself is tested in test_validation.py).
RELEASE_TIME = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)
PASSED_VALIDATION = {"success": True, "suites": {}}

MEKDATA = str(Path(sys.executable).with_name("mekdata"))


def run_mekdata(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """The installed `mekdata` command as a user runs it, output captured."""
    return subprocess.run(
        [MEKDATA, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# Flow tests get their own Prefect home; never the developer's, never the repo's .prefect/.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def article_text() -> str:
    return ARTICLE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def source():
    from ingestion.source import BUNDLED_SOURCE, make_source

    return make_source(BUNDLED_SOURCE.read_bytes(), str(BUNDLED_SOURCE))


@pytest.fixture(scope="session")
def document(article_text):
    from transforms.document import Document

    return Document.from_text(article_text)


@pytest.fixture(scope="session")
def tables(article_text):
    from transforms import extract_all

    return extract_all(article_text)


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line containing ``needle`` (tests locate, never hard-code)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found in the text")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (but the lock) and its bytes: 'nothing changed' made exact."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def replace_once(text: str, old: str, new: str) -> str:
    """Alter a copy of the article; fail loudly when the snippet is not there exactly once."""
    count = text.count(old)
    assert count == 1, f"expected {old!r} once in the article, found {count}"
    return text.replace(old, new)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect server on 127.0.0.1 for every flow, CLI and scheduling test."""
    from prefect_server import PrefectServer

    server = PrefectServer(tmp_path_factory.mktemp("prefect-home")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prefect_api(prefect_server):
    """In-process flow runs against the session's server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
        yield prefect_server
        # The in-process runs' logs and events go out from background workers: send them while
        # the server still listens, or Prefect's exit handlers retry a closed port for a minute.
        from flows.cli import _send_pending_logs_and_events

        _send_pending_logs_and_events()


@pytest.fixture(scope="session")
def article_server():
    """The article over HTTP on 127.0.0.1: /article.txt, /flaky/<any> (503 once), /slow.txt,
    /page.html, and 404 for anything else."""
    from http_fixture import ArticleServer

    server = ArticleServer().start()
    yield server
    server.stop()


# The live article's title and an old title that redirects to it, as on English Wikipedia.
WIKI_TITLE = "People's Mojahedin Organization of Iran"
WIKI_OLD_TITLE = "People's Mujahedin of Iran"
# The Wikidata item the emulated page links to: a made-up id, not the article's real item.
WIKI_ITEM = "Q999999001"


@pytest.fixture(scope="session")
def mediawiki(article_text):
    """The MediaWiki Action API emulated on 127.0.0.1 (tests/mediawiki_emulator.py), holding
    the bundled article as one revision of WIKI_TITLE and the redirect from WIKI_OLD_TITLE."""
    from mediawiki_emulator import MediaWikiEmulator
    from wiki_html import article_html

    emulator = MediaWikiEmulator()
    emulator.add_revision(WIKI_TITLE, article_html(article_text), "2020-11-01T12:00:00Z")
    emulator.add_redirect(WIKI_OLD_TITLE, WIKI_TITLE)
    emulator.pages[WIKI_TITLE].wikibase_item = WIKI_ITEM
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def wiki(mediawiki):
    """The session's emulator with an empty request log and no leftover faults."""
    mediawiki.reset()
    yield mediawiki
    mediawiki.reset()


# The page that holds the scripted revision history (tests/revision_script.py).
HISTORY_TITLE = "Scripted history of the MEK article"


@pytest.fixture(scope="session")
def history_wiki():
    """An emulator on 127.0.0.1 serving tests/revision_script.py as the revisions of
    HISTORY_TITLE: the script's revids and timestamps, each text rendered by article_html."""
    from mediawiki_emulator import MediaWikiEmulator
    from revision_script import revision_script
    from wiki_html import article_html

    emulator = MediaWikiEmulator()
    for scripted in revision_script():
        emulator.add_revision(
            HISTORY_TITLE,
            article_html(scripted.text),
            scripted.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            revid=scripted.revid,
        )
    emulator.start()
    yield emulator
    emulator.stop()
