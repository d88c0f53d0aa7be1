"""The benchmark's synthetic revision history (tests/synthetic_history.py): the same seed gives
the same history, its revisions have the stated mix of edits, and each edit does what its kind
says, down to the status a history run gives it."""

from __future__ import annotations

import collections
import difflib
import hashlib
import itertools
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic_history import (
    CLAIM_KINDS,
    EXPECTED_STATUS,
    MIX,
    REFERENCE_KINDS,
    synthetic_history,
)

MIX_SAMPLE = 2_000
EVENT_FRAME = ["seq", "revid", "table", "claim_key", "event", "column", "old_value", "new_value"]


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
    "kind",
    [pytest.param(k, id=k) for k in MIX if k not in ("blanking", "revert", *REFERENCE_KINDS)],
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
    claim_events = [e for e in step.events if e["table"] != "references"]
    assert bool(claim_events) == (kind in CLAIM_KINDS)
    sources = [(e["event"], e["column"]) for e in step.events if e["table"] == "references"]
    if kind == "ref_added":
        assert sources == [("added", None)]
    elif kind == "ref_removed":
        assert sources == [("removed", None)]
    else:
        assert sources == []


@pytest.mark.parametrize("kind", [pytest.param(k, id=k) for k in REFERENCE_KINDS])
def test_a_reference_edit_renumbers_everything_after_it(history, kind):
    """As MediaWiki numbers references: one source more (or fewer) and every later marker and
    list item moves by one; the list keeps its order and has one item more (or fewer)."""
    import re

    from synthetic_history import LIST_ITEM_RE, MARKER_RE

    index = next(i for i, r in enumerate(history) if r.kind == kind)
    parent, child = history[index - 1].text(), history[index].text()
    changes = _changed_lines(parent, child)
    assert len(changes) > 1  # renumbered after it, not one line

    def items(text):
        return [int(m["number"]) for m in map(LIST_ITEM_RE.match, text.split("\n")) if m]

    step = 1 if kind == "ref_added" else -1
    assert len(items(child)) == len(items(parent)) + step
    numbers = [int(n) for n in MARKER_RE.findall(child)]
    assert max(numbers) == max(int(n) for n in MARKER_RE.findall(parent)) + step
    stripped = re.sub(r"\[\d+\]", "", child), re.sub(r"\[\d+\]", "", parent)
    assert len(_changed_lines(stripped[1], stripped[0])) == 1  # one item in or out


def test_the_reference_list_stays_in_order_through_every_edit():
    """MediaWiki lists references in the order of their numbers, and the article text numbers
    them by position: an item out of order leaves markers without their item (dangling, keyed
    by number), and each later reference edit would then move those keys. Over a long mix
    (two additions landing in one slot happen only now and then), every revision's reference
    list (after the one-item notes list) is in increasing order."""
    from synthetic_history import LIST_ITEM_RE

    for revision in synthetic_history(1000):
        numbers = [
            int(m["number"]) for m in map(LIST_ITEM_RE.match, revision.text().split("\n")) if m
        ][1:]
        assert numbers == sorted(set(numbers)), (revision.revid, revision.kind)


@pytest.fixture(scope="module")
def long_history():
    """Long enough for sources taken out to be cited again and edited after."""
    return synthetic_history(6_000, seed=17)


def test_every_archive_note_goes_on_an_item_that_reads_the_same_with_it(long_history):
    """A reference edit must stay ``unchanged_sections``: each one changes a single line of a
    single slot by an archive note, on an item the parser reads the same with the note as
    without, even when sources cited again have landed in that item's slot."""
    from synthetic_history import ARCHIVE_NOTE, _cites_the_same

    edits = 0
    for parent, child in itertools.pairwise(long_history):
        if child.kind != "reference":
            continue
        changed = [
            (old, new)
            for old_chunk, new_chunk in zip(parent.chunks, child.chunks, strict=True)
            if old_chunk is not new_chunk
            for old_slot, new_slot in zip(old_chunk, new_chunk, strict=True)
            if old_slot != new_slot
            for old, new in zip(old_slot.split("\n"), new_slot.split("\n"), strict=True)
            if old != new
        ]
        assert len(changed) == 1, child.revid
        old, new = changed[0]
        assert ARCHIVE_NOTE in (new.removeprefix(old), old.removeprefix(new)), child.revid
        assert _cites_the_same(old, new), (child.revid, old)
        edits += 1
    assert edits > 1_000


def test_the_page_keeps_its_size_however_long_the_history(long_history):
    """The benchmark reads memory growth per revision, so the page must not grow with the
    history: the reference list stays within REFERENCE_PULL's reach of the article's number of
    sources, sources taken out are cited again before new ones are written, an added row or
    sentence is never added twice (whatever its day or figure became), and once archive notes
    and double spaces have reached their balance, the text's mean size holds."""
    import re

    from synthetic_history import ADDED_ROWS, LIST_ITEM_RE, REFERENCE_PULL, _any_numbers

    revisions = [r for r in long_history if not isinstance(r.chunks, str)]

    def items(revision):
        return sum(1 for line in revision.text().split("\n") if LIST_ITEM_RE.match(line))

    reach = round(0.5 / REFERENCE_PULL)
    base_items = items(revisions[0])
    rows = [re.compile(_any_numbers(addition)) for _, addition in ADDED_ROWS]
    for revision in revisions[::7]:
        text = revision.text()
        assert abs(items(revision) - base_items) <= reach, revision.revid
        assert all(len(row.findall(text)) <= 1 for row in rows), revision.revid
        assert text.count("Synthetic source") <= 2 * reach, revision.revid
    sizes = [r.size for r in revisions]
    early = sum(sizes[2_000:3_500]) / 1_500
    late = sum(sizes[-1_500:]) / 1_500
    assert abs(late - early) / early < 0.005, (early, late)


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


# --- replaying the events rebuilds every revision ------------------------------------------


def _as_replayed(claims) -> dict[str, dict[str, dict]]:
    """A revision's claims (transforms.history.Claims) as the replay holds them."""
    from transforms.history import event_text, tracked_columns
    from transforms.schema import TIMELINE_TABLES

    return {
        table: {
            key: {c: event_text(table, c, row[c]) for c in tracked_columns(table)}
            for key, row in claims.rows.get(table, {}).items()
        }
        for table in TIMELINE_TABLES
    }


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000), count=st.integers(4, 12))
def test_replaying_the_events_rebuilds_every_revisions_claims(seed, count):
    """Property: on any synthetic history (the realistic mix: references added and removed
    with everything renumbered, reverts, claim edits), the events replayed from the first
    revision up to any revision rebuild exactly the claims and references that revision
    states (for a skipped one, those of the last good revision before it)."""
    from transforms.history import (
        RevisionMeta,
        TimelineBuilder,
        identical_outcome,
        identical_targets,
        process_revision,
    )
    from transforms.history_validation import Replay

    history = synthetic_history(count, seed=seed)
    repeats = identical_targets((r.revid, r.sha1) for r in history)
    builder = TimelineBuilder()
    builder.expect_identical(repeats)
    replay = Replay()
    states: dict[int, dict] = {}  # revid -> the claims it states (its own or repeated)
    expected: dict | None = None
    base_references = None
    for revision in history:
        meta = RevisionMeta(revision.revid, revision.parentid, revision.timestamp, revision.sha1)
        if revision.revid in repeats:
            outcome = identical_outcome(meta, repeats[revision.revid])
        else:
            outcome = process_revision(
                meta,
                revision.text(),
                base_sections_sha1=builder.base_sections_sha1,
                base_references=base_references,
            )
        step = builder.add(outcome)
        if outcome.status in ("extracted", "unchanged_sections"):
            base_references = (outcome.references_sha1, outcome.keys_sha1)
        steps = replay.steps(pd.DataFrame(step.events, columns=EVENT_FRAME))
        assert (steps["before_in_event"] == steps["before_in_replay"]).all()
        if outcome.status in ("extracted", "unchanged_sections") and outcome.claims:
            # What was read of this revision; the tables not read again are the base's.
            read = _as_replayed(outcome.claims)
            expected = {t: read[t] if t in outcome.claims.rows else expected[t] for t in read}
        elif outcome.status == "identical" and outcome.reason is None:
            expected = states[repeats[revision.revid]]
        states[revision.revid] = expected
        assert replay.claims == expected, (revision.kind, revision.revid)
