"""The benchmark's synthetic revision history (tests/synthetic_history.py): the same seed gives
the same history, its revisions have the stated mix of edits, and each edit does what its kind
says, down to the status a history run gives it."""

from __future__ import annotations

import collections
import difflib
import hashlib
import itertools
import math

import pytest
from synthetic_history import CLAIM_KINDS, EXPECTED_STATUS, MIX, synthetic_history

MIX_SAMPLE = 2_000


@pytest.fixture(scope="module")
def history():
    return synthetic_history(MIX_SAMPLE, seed=17)


def _identity(revisions):
    return [(r.revid, r.parentid, r.timestamp, r.kind, r.sha1, r.size) for r in revisions]


def test_the_same_seed_gives_the_same_history_and_another_seed_another(history):
    """A shorter history is also a prefix of a longer one: the benchmark serves the largest
    size and runs the smaller ones with --limit."""
    again = synthetic_history(500, seed=17)
    assert _identity(again) == _identity(history[:500])
    assert [r.text() for r in again[-20:]] == [r.text() for r in history[480:500]]
    other = synthetic_history(500, seed=18)
    assert [r.sha1 for r in other[1:]] != [r.sha1 for r in history[1:500]]


def test_ids_times_parents_and_sizes_are_a_wikis(history):
    assert history[0].parentid == 0
    for parent, child in itertools.pairwise(history):
        assert child.revid > parent.revid
        assert child.timestamp > parent.timestamp
        assert child.parentid == parent.revid
    for revision in history[::97]:
        data = revision.text().encode("utf-8")
        assert (revision.size, revision.sha1) == (len(data), hashlib.sha1(data).hexdigest())


@pytest.mark.parametrize("kind", [pytest.param(k, id=k) for k in MIX])
def test_each_kind_has_its_stated_share(history, kind):
    """Within four standard deviations of the stated share (the draw is seeded, so this only
    catches a mix that is not the one the docstring states)."""
    share = MIX[kind] / sum(MIX.values())
    count = collections.Counter(r.kind for r in history[1:])[kind]
    allowed = 4 * math.sqrt(share * (1 - share) / (len(history) - 1))
    assert abs(count / (len(history) - 1) - share) <= allowed


def test_every_blanking_is_undone_by_the_next_revision(history):
    for index, revision in enumerate(history[:-1]):
        if revision.kind == "blanking":
            assert history[index + 1].kind == "revert"
            assert history[index + 1].text() == history[index - 1].text()
            assert history[index + 1].identical_to is history[index - 1]
        if history[index + 1].kind == "revert":
            assert revision.kind == "blanking"


def _changed_lines(parent: str, child: str) -> list[tuple[int, str, str]]:
    """(first line number, 0-based, old lines, new lines) of each change."""
    old, new = parent.split("\n"), child.split("\n")
    return [
        (a1, "\n".join(old[a1:a2]), "\n".join(new[b1:b2]))
        for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new).get_opcodes()
        if tag != "equal"
    ]


def _body_end(text: str) -> int:
    from transforms.document import Document

    return Document.from_text(text).body_end


@pytest.mark.parametrize(
    "kind", [pytest.param(k, id=k) for k in MIX if k not in ("blanking", "revert")]
)
def test_each_edit_changes_what_its_kind_says(history, kind):
    first = next(i for i, r in enumerate(history) if r.kind == kind)
    parent, child = history[first - 1].text(), history[first].text()
    changes = _changed_lines(parent, child)
    assert len(changes) == 1, changes
    line, old, new = changes[0]
    if kind == "reference":
        assert line >= _body_end(parent)
    else:
        assert line < _body_end(parent)
    if kind == "whitespace":
        assert old.split() == new.split() and old != new
    if kind == "prose":
        assert len(old.split()) == len(new.split())
        assert sum(a != b for a, b in zip(old.split(), new.split(), strict=True)) == 1
    if kind == "claim_date":
        assert "esignated on" in old or "delisted on" in old
    if kind == "claim_row":  # a row or a sentence added (or removed)
        assert not old or new.startswith(old) or old.startswith(new)


@pytest.mark.parametrize("kind", [pytest.param(k, id=k) for k in MIX])
def test_each_kind_gets_the_status_it_states(history, kind):
    """As the flow reads them: rendered as MediaWiki HTML, read back to text, triaged against
    the last good revision before. Claim edits cause events, no other edit does."""
    from wiki_html import article_html

    from ingestion.html_text import html_to_text
    from transforms.history import (
        RevisionMeta,
        TimelineBuilder,
        identical_outcome,
        process_revision,
    )

    index = next(
        i
        for i, r in enumerate(history)
        if r.kind == kind and (r.identical_to is None) == (kind != "revert")
    )
    # The last good revision before it: the parent, or for a revert the one before the
    # blanking, which it repeats.
    base = history[index - 2] if kind == "revert" else history[index - 1]
    builder = TimelineBuilder()
    if kind == "revert":
        assert history[index].identical_to is base
        builder.expect_identical({history[index].revid: base.revid})
    for revision in (base, history[index]):
        meta = RevisionMeta(revision.revid, None, revision.timestamp, size=revision.size)
        if revision is not base and revision.identical_to:
            outcome = identical_outcome(meta, base.revid)
        else:
            outcome = process_revision(
                meta,
                html_to_text(article_html(revision.text())).text,
                parent_size=history[index - 1].size,
                base_sections_sha1=builder.base_sections_sha1,
            )
        step = builder.add(outcome)
    assert (outcome.status, outcome.reason) == EXPECTED_STATUS[kind]
    assert history[index].status == outcome.status
    assert bool(step.events) == (kind in CLAIM_KINDS)


def test_the_emulator_serves_it_rendering_only_what_is_fetched():
    """Listed with the generator's ids, times, parents, sha1 and sizes (over more than one
    listing page); a revision's HTML is rendered when `action=parse` asks for it, and only
    then."""
    from mediawiki_emulator import MAX_RVLIMIT, MediaWikiEmulator
    from synthetic_history import serve_history
    from wiki_html import article_html

    from ingestion.wikipedia import WikiClient, parse_source

    revisions = synthetic_history(MAX_RVLIMIT + 20, seed=17)
    emulator = MediaWikiEmulator()
    rendered = []
    serve_history(emulator, "Synthetic", revisions)
    for entry in emulator.pages["Synthetic"].revisions:
        entry.render = lambda render=entry.render, revid=entry.revid: (
            rendered.append(revid) or render()
        )
    emulator.start()
    try:
        with WikiClient(emulator.api_url) as client:
            listed = list(client.revisions(parse_source("wikipedia:Synthetic")))
            assert rendered == []
            chosen = listed[-3]
            html = client.parse_html(chosen)
    finally:
        emulator.stop()
    assert [(r.revid, r.parentid or 0, r.timestamp, r.sha1, r.size) for r in listed] == [
        (r.revid, r.parentid, r.api_timestamp, r.sha1, r.size) for r in revisions
    ]
    assert len(emulator.requests("query")) == 2
    assert rendered == [chosen.revid]
    assert html == article_html(revisions[-3].text())
