"""Listing a page's revisions (no content) with continuation, against the emulator serving
the scripted history (tests/revision_script.py)."""

from __future__ import annotations

import pytest
from conftest import HISTORY_TITLE, WIKI_OLD_TITLE, WIKI_TITLE
from revision_script import revision_script

from ingestion.wikipedia import (
    Revision,
    RevisionListing,
    WikiClient,
    WikiSource,
    api_timestamp,
)
from mekdata.errors import SourceError

SCRIPT = revision_script()
STAMPS = [r.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") for r in SCRIPT]


def listing(emulator, **options) -> list:
    with WikiClient(emulator.api_url) as api:
        return list(api.revisions(WikiSource(HISTORY_TITLE), **options))


def test_every_revision_oldest_first_without_content(history_wiki):
    history_wiki.reset()
    listed = listing(history_wiki)
    assert [r.revid for r in listed] == [r.revid for r in SCRIPT]
    assert [r.parentid for r in listed] == [None] + [r.revid for r in SCRIPT[:-1]]
    assert [r.timestamp for r in listed] == STAMPS
    served = history_wiki.pages[HISTORY_TITLE].revisions
    assert [r.sha1 for r in listed] == [r.sha1 for r in served]
    assert [r.size for r in listed] == [r.size for r in served]
    assert {r.title for r in listed} == {HISTORY_TITLE}
    (request,) = history_wiki.requests()
    assert request.params["rvlimit"] == "max"
    assert request.params["rvdir"] == "newer"
    assert request.params["rvprop"] == "ids|timestamp|sha1|size"  # no content
    assert request.params["maxlag"] == "5"


def test_continuation_follows_every_batch(history_wiki, monkeypatch):
    """With 5 revisions per answer the 14 scripted revisions take three requests, each passing
    back the continue parameters of the one before."""
    import mediawiki_emulator

    monkeypatch.setattr(mediawiki_emulator, "MAX_RVLIMIT", 5)
    history_wiki.reset()
    listed = listing(history_wiki)
    assert [r.revid for r in listed] == [r.revid for r in SCRIPT]
    requests = history_wiki.requests()
    assert len(requests) == 3
    assert "rvcontinue" not in requests[0].params
    assert requests[1].params["rvcontinue"].endswith(f"|{SCRIPT[5].revid}")
    assert requests[2].params["rvcontinue"].endswith(f"|{SCRIPT[10].revid}")
    assert all(r.params["continue"] == "||" for r in requests[1:])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({"limit": 3}, [1000, 1001, 1002], id="limit"),
        pytest.param({"since": STAMPS[11]}, [1011, 1012, 1013], id="since-timestamp"),
        pytest.param({"until": STAMPS[1]}, [1000, 1001], id="until-timestamp"),
        pytest.param({"since": STAMPS[4], "until": STAMPS[6]}, [1004, 1005, 1006], id="window"),
        pytest.param({"since": STAMPS[4], "limit": 2}, [1004, 1005], id="since-and-limit"),
        pytest.param({"until": "2024-01-01"}, [r.revid for r in SCRIPT], id="until-whole-day"),
        pytest.param({"since": "2024-01-02"}, [], id="since-after-all"),
    ],
)
def test_since_until_and_limit(history_wiki, options, expected):
    assert [r.revid for r in listing(history_wiki, **options)] == expected


def test_a_limit_below_the_maximum_asks_for_no_more(history_wiki):
    history_wiki.reset()
    listing(history_wiki, limit=3)
    (request,) = history_wiki.requests()
    assert request.params["rvlimit"] == "3"


def test_listing_follows_a_redirect(mediawiki):
    with WikiClient(mediawiki.api_url) as api:
        listed = list(api.revisions(WikiSource(WIKI_OLD_TITLE)))
    assert [r.revid for r in listed] == [r.revid for r in mediawiki.pages[WIKI_TITLE].revisions]
    assert {(r.title, r.redirected_from) for r in listed} == {(WIKI_TITLE, WIKI_OLD_TITLE)}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"limit": 0}, "positive number", id="zero-limit"),
        pytest.param({"since": "last tuesday"}, "is not a date", id="bad-date"),
        pytest.param({"since": "2024-02-01", "until": "2024-01-01"}, "is after", id="reversed"),
    ],
)
def test_listing_refuses(history_wiki, options, message):
    with pytest.raises(SourceError, match=message):
        listing(history_wiki, **options)


def test_listing_a_missing_page(history_wiki):
    with WikiClient(history_wiki.api_url) as api, pytest.raises(SourceError, match="not exist"):
        list(api.revisions(WikiSource("No such page")))


@pytest.mark.parametrize(
    ("value", "end_of_day", "expected"),
    [
        pytest.param("2024-01-31", False, "2024-01-31T00:00:00Z", id="date-start"),
        pytest.param("2024-01-31", True, "2024-01-31T23:59:59Z", id="date-end"),
        pytest.param("2024-01-31T12:30:00Z", True, "2024-01-31T12:30:00Z", id="timestamp"),
        pytest.param("2024-01-31T14:30:00+02:00", False, "2024-01-31T12:30:00Z", id="offset"),
    ],
)
def test_api_timestamp(value, end_of_day, expected):
    assert api_timestamp(value, end_of_day) == expected


# --- the listing a history run keeps ------------------------------------------------------

API = "http://127.0.0.1:8080/w/api.php"


def _revision(revid: int, **fields) -> Revision:
    values = {
        "parentid": revid - 1,
        "timestamp": f"2024-03-{1 + revid % 28:02d}T12:{revid % 60:02d}:00Z",
        "sha1": f"{revid:040x}",
        "size": 90_000 + revid,
        **fields,
    }
    return Revision(API, "People's Mojahedin", "MEK", "MEK", 4242, revid, **values)


@pytest.mark.parametrize(
    "revision",
    [
        pytest.param(_revision(1000), id="every-field"),
        pytest.param(_revision(1000, parentid=None), id="first-revision-no-parent"),
        pytest.param(_revision(1000, parentid=0), id="parent-zero-kept-as-zero"),
        pytest.param(_revision(1000, sha1=None), id="hidden-content-no-sha1"),
        pytest.param(_revision(1000, size=None), id="no-size"),
        pytest.param(_revision(1000, size=0), id="blanked-size-zero"),
        pytest.param(_revision(1000, timestamp=""), id="no-timestamp"),
        pytest.param(_revision(1000, sha1="é" * 40), id="non-ascii-text"),
    ],
)
def test_a_listed_revision_reads_back_as_it_was_appended(revision):
    listing = RevisionListing([_revision(999), revision, _revision(1001)])
    assert listing[1] == revision
    assert listing[-2] == revision
    assert listing[1].permalink == f"http://127.0.0.1:8080/w/index.php?oldid={revision.revid}"


def test_a_listing_is_a_sequence_of_its_revisions():
    revisions = [_revision(r, sha1=None if r % 3 == 0 else f"{r:040x}") for r in range(1, 60)]
    listing = RevisionListing(revisions)
    assert len(listing) == len(revisions)
    assert list(listing) == revisions
    assert list(listing[10:20]) == revisions[10:20]
    assert list(listing[-5:]) == revisions[-5:]
    assert list(listing[::7]) == revisions[::7]
    assert list(listing.revids) == [r.revid for r in revisions]
    assert len(RevisionListing()) == 0
    with pytest.raises(IndexError):
        listing[len(revisions)]
    with pytest.raises(IndexError):
        listing[-len(revisions) - 1]


def test_a_listing_holds_one_page():
    other = Revision(API, "Another page", "Another page", None, 7, 1001)
    with pytest.raises(ValueError, match="not of the listing's page"):
        RevisionListing([_revision(1000), other])


def test_a_long_listing_costs_bytes_per_revision_not_objects():
    """A history run keeps its listing to the end; as Revision objects it cost about 300
    bytes a revision (more with the per-batch copies), so the driver grew with the count."""
    import tracemalloc

    count = 20_000
    tracemalloc.start()
    try:
        listing = RevisionListing(_revision(r) for r in range(1, count + 1))
        held, _ = tracemalloc.get_traced_memory()
        as_objects = [_revision(r) for r in range(1, 1001)]
        with_objects, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_revision = held / count
    per_object = (with_objects - held) / len(as_objects)
    assert per_revision < 130, per_revision
    assert per_object > 2 * per_revision, (per_object, per_revision)
    assert listing[count - 1] == _revision(count)
