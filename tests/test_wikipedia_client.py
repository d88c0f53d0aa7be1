"""The MediaWiki API client against the emulator on 127.0.0.1: answers, errors, etiquette."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from conftest import WIKI_ITEM, WIKI_OLD_TITLE, WIKI_TITLE

from ingestion.wikipedia import (
    MAXLAG_S,
    Revision,
    WikiClient,
    WikiSource,
    parse_source,
    revision_text,
    user_agent,
)
from mekdata.errors import SourceError


@pytest.mark.parametrize(
    ("given", "title", "revid"),
    [
        pytest.param(f"wikipedia:{WIKI_TITLE}", WIKI_TITLE, None, id="spaces"),
        pytest.param(
            "wikipedia:People's_Mojahedin_Organization_of_Iran", WIKI_TITLE, None, id="underscores"
        ),
        pytest.param(f"wikipedia:{WIKI_TITLE}@987654321", WIKI_TITLE, 987654321, id="pinned"),
        pytest.param("wikipedia:  MEK  @12", "MEK", 12, id="padded"),
    ],
)
def test_parse_source(given, title, revid):
    assert parse_source(given) == WikiSource(title, revid)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param("wikipedia:", "not of the form", id="no-title"),
        pytest.param("wikipedia:MEK@latest", "positive whole number", id="revid-not-number"),
        pytest.param("wikipedia:MEK@0", "positive whole number", id="revid-zero"),
        pytest.param("wikipedia:MEK [1]", "no valid page title", id="bad-character"),
    ],
)
def test_parse_source_refuses(given, message):
    with pytest.raises(SourceError, match=message):
        parse_source(given)


def client(emulator, **options) -> WikiClient:
    return WikiClient(emulator.api_url, **options)


def test_latest_revision_through_a_redirect(wiki):
    page = wiki.pages[WIKI_TITLE]
    latest = page.revisions[-1]
    with client(wiki) as api:
        revision = api.revision(WikiSource(WIKI_OLD_TITLE))
    assert revision == Revision(
        api_url=wiki.api_url,
        title=WIKI_TITLE,
        requested_title=WIKI_OLD_TITLE,
        redirected_from=WIKI_OLD_TITLE,
        pageid=page.pageid,
        revid=latest.revid,
        parentid=None,  # the page's first revision
        timestamp=latest.timestamp,
        sha1=latest.sha1,
        size=latest.size,
        wikibase_item=WIKI_ITEM,
    )
    assert revision.permalink == f"{wiki.base_url}/w/index.php?oldid={latest.revid}"
    assert revision.history_url == (
        f"{wiki.base_url}/w/index.php?title=People%27s_Mojahedin_Organization_of_Iran"
        "&action=history"
    )
    (request,) = wiki.requests()
    assert request.params["titles"] == WIKI_OLD_TITLE and request.params["redirects"] == "1"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param("Q42", "Q42", id="linked"),
        pytest.param(None, None, id="not-linked"),
        pytest.param("P31", None, id="not-an-item"),
        pytest.param("Q0", None, id="no-such-id"),
    ],
)
def test_the_pages_own_wikidata_item_comes_with_the_revision(wiki, item, expected):
    """prop=pageprops in the same request: the item the wiki links the page to, the subject
    of the release's Wikidata statements; none when the page links none."""
    page = wiki.add_page(f"Linked page {item}")
    page.wikibase_item = item
    wiki.add_revision(page.title, "<div class='mw-parser-output'><p>one</p></div>")
    with client(wiki) as api:
        revision = api.revision(WikiSource(page.title))
    assert revision.wikibase_item == expected
    (request,) = wiki.requests()
    assert request.params["prop"] == "revisions|pageprops"
    assert request.params["ppprop"] == "wikibase_item"


def test_pinned_revision_and_its_html(wiki):
    page = wiki.add_page("Pinned page")
    first = wiki.add_revision(page.title, "<div class='mw-parser-output'><p>one</p></div>")
    wiki.add_revision(page.title, "<div class='mw-parser-output'><p>two</p></div>")
    with client(wiki) as api:
        revision = api.revision(WikiSource(page.title, first.revid))
        html = api.parse_html(revision)
    assert (revision.revid, revision.title, revision.redirected_from) == (
        first.revid,
        page.title,
        None,
    )
    assert html == first.html
    query, page_check, parse = wiki.requests()
    assert query.params["revids"] == str(first.revid) and "titles" not in query.params
    assert page_check.params["titles"] == page.title  # the revision is the named page's
    assert parse.params == {
        "action": "parse",
        "oldid": str(first.revid),
        "prop": "text|revid|displaytitle",
        "format": "json",
        "formatversion": "2",
        "maxlag": str(MAXLAG_S),
    }


def test_etiquette_in_the_request_log(wiki, monkeypatch):
    monkeypatch.setenv("MEKDATA_CONTACT", "data-team@example.org")
    with client(wiki) as api:
        revision = api.revision(WikiSource(WIKI_TITLE))
        api.parse_html(revision)
    assert len(wiki.log) == 2
    for request in wiki.log:
        agent = request.headers["User-Agent"]
        assert agent.startswith("mekdata/") and "(data-team@example.org)" in agent
        assert "python-httpx" not in agent  # never the library's default
        assert request.params["maxlag"] == "5"
        assert request.params["format"] == "json" and request.params["formatversion"] == "2"
        assert request.headers["Accept-Encoding"] == "gzip"
        assert request.content_encoding == "gzip"  # and the answer came compressed
    assert agent == user_agent()


def test_without_a_contact_the_agent_says_so_and_the_run_warns(wiki, monkeypatch, caplog):
    """No invented address: the User-Agent names the setting, and the log asks for it."""
    monkeypatch.delenv("MEKDATA_CONTACT", raising=False)
    from ingestion import wikipedia

    wikipedia._warn_no_contact.cache_clear()
    with caplog.at_level("WARNING", logger="ingestion.wikipedia"), client(wiki) as api:
        api.revision(WikiSource(WIKI_TITLE))
    agent = wiki.log[0].headers["User-Agent"]
    assert agent.startswith("mekdata/") and "contact not configured, set MEKDATA_CONTACT" in agent
    assert "MEKDATA_CONTACT is not set" in caplog.text


def test_requests_never_overlap(wiki):
    """Two threads share one client: the second request starts after the first has ended."""
    wiki.fail_next("slow", count=2, delay=0.4)
    errors = []
    with client(wiki) as api:

        def ask() -> None:
            try:
                api.revision(WikiSource(WIKI_TITLE))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    spans = sorted((r.started, r.finished) for r in wiki.log)
    assert len(spans) == 3
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end


def test_maxlag_waits_retry_after_then_succeeds(wiki):
    wiki.fail_next("maxlag", retry_after=1)
    with client(wiki) as api:
        revision = api.revision(WikiSource(WIKI_TITLE))
    assert revision.title == WIKI_TITLE
    lagged, answered = wiki.log
    assert lagged.fault == "maxlag" and lagged.status == 200
    assert answered.started - lagged.finished >= 1.0  # Retry-After honoured


def test_server_error_then_success(wiki):
    wiki.fail_next("5xx")
    with client(wiki) as api:
        assert api.revision(WikiSource(WIKI_TITLE)).title == WIKI_TITLE
    assert [r.status for r in wiki.log] == [503, 200]
    assert wiki.log[1].started - wiki.log[0].finished >= 0.9  # backed off


def test_slow_answer_past_the_budget(wiki):
    wiki.fail_next("slow", delay=5)
    started = time.monotonic()
    with client(wiki, budget=1.5) as api, pytest.raises(SourceError) as raised:
        api.revision(WikiSource(WIKI_TITLE))
    assert time.monotonic() - started < 3
    assert "time budget of 1.5 s" in str(raised.value)
    assert "MEKDATA_WIKI_BUDGET" in str(raised.value)


def test_a_restarted_budget_lets_a_long_series_of_requests_finish(wiki):
    """A history asks for thousands of revisions: each gets a whole budget again, while a
    client that never restarts it runs out."""
    with client(wiki, budget=0.6) as api:
        for _ in range(3):
            api.restart_budget()
            assert api.revision(WikiSource(WIKI_TITLE)).title == WIKI_TITLE
            time.sleep(0.4)
    with client(wiki, budget=0.6) as api, pytest.raises(SourceError, match="time budget"):
        for _ in range(3):
            api.revision(WikiSource(WIKI_TITLE))
            time.sleep(0.4)


def test_budget_from_environment(monkeypatch, wiki):
    monkeypatch.setenv("MEKDATA_WIKI_BUDGET", "0.5")
    assert client(wiki).budget == 0.5
    monkeypatch.setenv("MEKDATA_WIKI_BUDGET", "soon")
    with pytest.raises(SourceError, match="positive number of seconds"):
        client(wiki)


def test_unreachable_wiki_stops_at_the_budget():
    from flows.temporary_server import free_port

    url = f"http://127.0.0.1:{free_port()}/w/api.php"
    with WikiClient(url, budget=2) as api, pytest.raises(SourceError, match="time budget of 2 s"):
        api.revision(WikiSource(WIKI_TITLE))


@pytest.mark.parametrize(
    ("fault", "action", "source", "message"),
    [
        pytest.param("malformed", None, WIKI_TITLE, "not its JSON", id="malformed-json"),
        pytest.param("html", None, WIKI_TITLE, "not its JSON", id="html-error-page"),
        pytest.param("missingtitle", None, WIKI_TITLE, "does not exist", id="missingtitle"),
        pytest.param("nosuchrevid", "parse", WIKI_TITLE, "does not exist", id="nosuchrevid"),
        pytest.param(None, None, "No such page anywhere", "does not exist", id="missing-page"),
        pytest.param(None, None, f"{WIKI_TITLE}@12345", "badrevids", id="no-such-revision"),
    ],
)
def test_errors_are_one_clear_paragraph(wiki, fault, action, source, message):
    if fault:
        wiki.fail_next(fault, action=action)
    with client(wiki) as api, pytest.raises(SourceError) as raised:
        revision = api.revision(parse_source(f"wikipedia:{source}"))
        api.parse_html(revision)
    text = str(raised.value)
    assert message in text and "\n" not in text
    assert wiki.api_url in text


def test_deleted_revision(wiki):
    page = wiki.add_page("Revision deleted")
    hidden = wiki.add_revision(page.title, "<div class='mw-parser-output'></div>", hidden=True)
    with client(wiki) as api:
        with pytest.raises(SourceError, match="deleted from public view"):
            api.revision(WikiSource(page.title, hidden.revid))
        # The revision's identity known from elsewhere: parse refuses it too.
        known = Revision(wiki.api_url, page.title, page.title, None, page.pageid, hidden.revid)
        with pytest.raises(SourceError, match=r"deleted from public view.*permissiondenied"):
            api.parse_html(known)


def test_wrong_endpoint():
    from http_fixture import ArticleServer

    server = ArticleServer().start()
    try:
        api = WikiClient(f"{server.url}/nowhere/api.php")
        with api, pytest.raises(SourceError, match="HTTP 404"):
            api.revision(WikiSource(WIKI_TITLE))
    finally:
        server.stop()


def test_page_without_the_tables_is_refused(wiki):
    html = "<div class='mw-parser-output'><p>Just a paragraph.</p><h2>History</h2></div>"
    revision = Revision(wiki.api_url, "Stub", "Stub", None, 1, 2, None, "2026-01-01T00:00:00Z")
    with pytest.raises(SourceError, match="no infobox, no wikitable and no reference list"):
        revision_text(revision, html)


def test_revision_text_carries_provenance(wiki, article_text):
    with client(wiki) as api:
        revision = api.revision(WikiSource(WIKI_OLD_TITLE))
        html = api.parse_html(revision)
    source = revision_text(revision, html, "2026-11-28T06:00:00+00:00")
    assert source.origin == f"wikipedia:{WIKI_TITLE}@{revision.revid}"
    assert source.html == html and source.text.endswith("\n")
    record = source.wikipedia
    assert record["revid"] == revision.revid and record["pageid"] == revision.pageid
    assert record["permalink"] == revision.permalink
    assert record["fetched_at"] == "2026-11-28T06:00:00+00:00"
    assert record["redirected_from"] == WIKI_OLD_TITLE
    assert "CC BY-SA 4.0" in record["attribution"] and revision.history_url in record["attribution"]


def test_emulator_lists_revisions_in_batches(wiki):
    """The emulator pages through a history (rvlimit, rvcontinue) as the API does."""
    page = wiki.add_page("Long history")
    made = [wiki.add_revision(page.title, f"<p>{n}</p>").revid for n in range(5)]
    with client(wiki) as api:
        seen, token = [], None
        while True:
            params = {
                "action": "query",
                "prop": "revisions",
                "titles": page.title,
                "rvprop": "ids",
                "rvlimit": "2",
            }
            if token:
                params["rvcontinue"] = token
            answer = api.call(params)
            seen += [r["revid"] for r in answer["query"]["pages"][0]["revisions"]]
            token = answer.get("continue", {}).get("rvcontinue")
            if token is None:
                break
    assert seen == made[::-1]


def test_pinned_revision_of_another_page_is_refused(wiki):
    """wikipedia:A@<a revision of B> must not publish B's text as A's."""
    named = wiki.add_page("Named article")
    wiki.add_revision(named.title, "<div class='mw-parser-output'><p>named</p></div>")
    other = wiki.add_page("Other article")
    foreign = wiki.add_revision(other.title, "<div class='mw-parser-output'><p>other</p></div>")
    with client(wiki) as api, pytest.raises(SourceError, match="belongs to the page"):
        api.revision(WikiSource(named.title, foreign.revid))
    assert not [r for r in wiki.requests() if r.params.get("action") == "parse"]


def test_pinned_revision_through_an_old_title_is_accepted(wiki):
    """A redirect's old title names the same page: its revisions are its own."""
    page = wiki.add_page("Renamed article")
    revision = wiki.add_revision(page.title, "<div class='mw-parser-output'><p>x</p></div>")
    wiki.add_redirect("Old name of the article", page.title)
    with client(wiki) as api:
        found = api.revision(WikiSource("Old name of the article", revision.revid))
    assert (found.revid, found.title) == (revision.revid, page.title)
