"""The content-addressed cache of rendered revisions: what survives a crash, what a re-run
fetches, and damaged entries refetched loudly."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import HISTORY_TITLE
from revision_script import revision_script

from ingestion.wikipedia import WikiClient, WikiSource
from mekdata.errors import SourceError
from storage.revision_cache import RevisionCache, cache_root, fetch_missing

SCRIPT = revision_script()
REVIDS = [r.revid for r in SCRIPT]


def test_put_then_get_by_revid_with_the_sha256_of_the_html(tmp_path):
    cache = RevisionCache(cache_root(tmp_path))
    entry = cache.put(1000, "<p>één</p>", fetched_at="2026-11-28T06:00:00+00:00")
    assert entry.sha256 == hashlib.sha256("<p>één</p>".encode()).hexdigest()
    assert entry.bytes == len("<p>één</p>".encode())
    assert cache.get(1000) == "<p>één</p>"
    assert cache.get(1001) is None
    assert 1000 in cache and 1001 not in cache
    stored = json.loads((tmp_path / "history/cache/revisions/1000.json").read_text())
    assert stored == {**entry.__dict__}
    blob = tmp_path / "history/cache/blobs" / entry.sha256[:2] / f"{entry.sha256}.html"
    assert blob.read_bytes() == "<p>één</p>".encode()


def test_a_revert_is_stored_once(tmp_path):
    cache = RevisionCache(tmp_path)
    cache.put(1, "<p>a</p>")
    cache.put(2, "<p>b</p>")
    cache.put(3, "<p>a</p>")
    assert [cache.get(r) for r in (1, 2, 3)] == ["<p>a</p>", "<p>b</p>", "<p>a</p>"]
    assert len(list((tmp_path / "blobs").rglob("*.html"))) == 2


def test_what_a_crash_leaves_is_not_taken_for_an_entry(tmp_path):
    """A crash between writing the blob and the entry, or in the middle of a write, leaves an
    unreferenced blob and a temporary file: neither counts, the revision is fetched again."""
    cache = RevisionCache(tmp_path)
    cache.put(1, "<p>a</p>")
    orphan = hashlib.sha256(b"<p>b</p>").hexdigest()
    (tmp_path / "blobs" / orphan[:2]).mkdir(parents=True)
    (tmp_path / "blobs" / orphan[:2] / f"{orphan}.html").write_bytes(b"<p>b</p>")
    (tmp_path / "revisions" / ".2.json.abc.part").write_text('{"revid": 2, "sha')
    assert cache.missing([1, 2, 3]) == [2, 3]
    assert cache.repaired == []


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        pytest.param("blob-edited", "no longer matches", id="blob-edited"),
        pytest.param("blob-deleted", "is missing", id="blob-deleted"),
        pytest.param("entry-garbled", "not the JSON", id="entry-garbled"),
    ],
)
def test_damage_is_refetched_and_said(tmp_path, caplog, damage, why):
    cache = RevisionCache(tmp_path)
    entry = cache.put(7, "<p>seven</p>")
    blob = tmp_path / "blobs" / entry.sha256[:2] / f"{entry.sha256}.html"
    if damage == "blob-edited":
        blob.write_bytes(b"<p>eight</p>")
    elif damage == "blob-deleted":
        blob.unlink()
    else:
        (tmp_path / "revisions" / "7.json").write_text("{not json")
    assert cache.get(7) is None
    assert cache.repaired == [7]
    assert why in caplog.text
    summary = fetch_missing(cache, [7], lambda revid: "<p>seven</p>")
    assert (summary.fetched, summary.cached) == (1, 0)
    assert cache.get(7) == "<p>seven</p>"


def test_an_interrupted_pass_keeps_what_it_fetched(tmp_path):
    cache = RevisionCache(tmp_path)
    calls = []

    def fetch(revid):
        calls.append(revid)
        if revid == 3:
            raise KeyboardInterrupt  # the run is stopped while revision 3 is in flight
        return f"<p>{revid}</p>"

    with pytest.raises(KeyboardInterrupt):
        fetch_missing(cache, [1, 2, 3, 4], fetch)
    assert cache.missing([1, 2, 3, 4]) == [3, 4]
    calls.clear()
    summary = fetch_missing(cache, [1, 2, 3, 4], lambda revid: fetch(revid) if revid != 3 else "x")
    assert (summary.cached, summary.fetched, summary.failed) == (2, 2, {})
    assert calls == [4]


def test_a_failed_revision_is_recorded_and_the_pass_goes_on(tmp_path):
    def fetch(revid):
        if revid == 2:
            raise SourceError("Revision 2 has been deleted from public view")
        return f"<p>{revid}</p>"

    cache = RevisionCache(tmp_path)
    seen = []
    summary = fetch_missing(cache, [1, 2, 3], fetch, on_progress=lambda r, s: seen.append(r))
    assert summary.fetched == 2
    assert summary.failed == {2: "SourceError: Revision 2 has been deleted from public view"}
    assert cache.missing([1, 2, 3]) == [2]
    assert seen == [1, 2, 3]


def test_a_rerun_against_the_emulator_fetches_only_new_revisions(history_wiki, tmp_path):
    cache = RevisionCache(cache_root(tmp_path))
    with WikiClient(history_wiki.api_url) as api:
        listed = {r.revid: r for r in api.revisions(WikiSource(HISTORY_TITLE))}

        def fetch(revid):
            return api.parse_html(listed[revid])

        history_wiki.reset()
        first = fetch_missing(cache, REVIDS[:10], fetch)
        assert (first.fetched, first.cached) == (10, 0)
        assert [int(r.params["oldid"]) for r in history_wiki.requests("parse")] == REVIDS[:10]
        history_wiki.reset()
        second = fetch_missing(cache, REVIDS, fetch)
        assert (second.fetched, second.cached) == (4, 10)
        assert [int(r.params["oldid"]) for r in history_wiki.requests("parse")] == REVIDS[10:]
    served = {r.revid: r.html for r in history_wiki.pages[HISTORY_TITLE].revisions}
    assert {revid: cache.get(revid) for revid in REVIDS} == served


@pytest.mark.parametrize(
    ("failing", "give_up_after", "abandoned"),
    [
        pytest.param({3, 4, 5}, 3, True, id="three-in-a-row-stop"),
        pytest.param({2, 4, 6}, 2, False, id="scattered-failures-go-on"),
        pytest.param({3, 4, 5, 6, 7, 8}, None, False, id="no-limit-goes-on"),
    ],
)
def test_a_wiki_that_keeps_failing_stops_the_pass(tmp_path, failing, give_up_after, abandoned):
    """Failures in a row mean the wiki is down, not that revisions are bad: the pass stops
    instead of spending a time budget on each remaining revision, and keeps what it fetched."""
    from storage.revision_cache import FetchAbandoned

    def fetch(revid):
        if revid in failing:
            raise SourceError(f"The wiki API failed for {revid}")
        return f"<p>{revid}</p>"

    cache = RevisionCache(tmp_path)
    revids = list(range(1, 9))
    if abandoned:
        with pytest.raises(FetchAbandoned, match="3 revisions in a row failed") as raised:
            fetch_missing(cache, revids, fetch, give_up_after=give_up_after)
        assert raised.value.summary.fetched == 2
        assert cache.missing(revids) == [3, 4, 5, 6, 7, 8]
    else:
        summary = fetch_missing(cache, revids, fetch, give_up_after=give_up_after)
        assert set(summary.failed) == failing
        assert cache.missing(revids) == sorted(failing)


def test_an_identical_revision_is_given_the_earlier_html_without_a_request(tmp_path):
    """A revision whose sha1 repeats an earlier one's (a revert) names that one's blob; only
    when that one is not cached (it failed) is the revision fetched itself."""
    cache = RevisionCache(tmp_path)
    asked: list[int] = []

    def fetch(revid: int) -> str:
        asked.append(revid)
        if revid == 3:
            raise OSError("HTTP 503")
        return f"<p>revision {revid}</p>"

    summary = fetch_missing(cache, [1, 2, 3, 4, 5], fetch, identical={4: 1, 5: 3})
    assert asked == [1, 2, 3, 5]  # 4 repeats 1; 5 repeats 3, which failed
    assert (summary.fetched, summary.identical, sorted(summary.failed)) == (3, 1, [3])
    assert cache.get(4) == cache.get(1) == "<p>revision 1</p>"
    assert cache.entry(4).sha256 == cache.entry(1).sha256
    assert len(list((tmp_path / "blobs").rglob("*.html"))) == 3
    again = fetch_missing(cache, [1, 2, 3, 4, 5], fetch, identical={4: 1, 5: 3})
    assert (again.cached, again.identical, asked[-1]) == (4, 0, 3)  # 3 is retried, alone
