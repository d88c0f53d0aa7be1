"""A seeded synthetic revision history of the bundled article, for the benchmark and tests.

``synthetic_history(count, seed)`` returns ``count`` revisions of
``sources/peoples-mujahedin-of-iran.txt``: the first is the article itself, each later one is
its parent with one edit. Revids and timestamps increase (other pages' edits take revids in
between; a revert follows its vandalism within minutes, other edits come hours apart),
``parentid`` chains each to the one before, and ``sha1``/``size`` are those of the revision's
text, as MediaWiki's are of the wikitext. The same seed gives the same history, byte for byte.

The mix of edits, drawn independently for each revision (shares of revisions):

======================  ======  ===================================================================
kind                    share   the edit, and the status a history run must give it
======================  ======  ===================================================================
``prose``               45 %    a word of a body paragraph that holds no claim is replaced:
                                ``extracted`` (the body changed), and no claim changes
``reference``           25 %    a reference or note item after the body gains or loses an
                                archive note: ``unchanged_sections``
``claim_date``           3 %    the day of a designation's listing or delisting date changes:
                                ``extracted`` with a ``changed`` event
``claim_estimate``       4 %    a size estimate's figure changes (a share of the figure the
                                bundled article gives): ``extracted`` with ``changed`` events
``claim_row``            3 %    a designation row (New Zealand) or an estimate sentence
                                (Reuters, 2019) is added, or removed when present: ``extracted``
                                with ``added``/``removed`` events
``whitespace``          10 %    a double space inside a body paragraph appears or goes:
                                ``unchanged_sections`` (rendered HTML and the text read from it
                                normalise white space)
``blanking``             5 %    vandalism: the page replaced by a line of abuse:
                                ``skipped``/``blanked``
``revert``               5 %    the blanking undone, the revision after it: ``identical`` (its
                                sha1 is the revision's before the blanking: never fetched)
``ref_added``            3 %    a source cited in a claim-free prose paragraph (one taken out
                                earlier, or a new one when none waits): MediaWiki numbers
                                references by first use, so every later marker and list item
                                is renumbered: ``extracted``, one ``references`` event and no
                                claim event
``ref_removed``          3 %    a source cited once, in claim-free prose, taken out with its
                                list item (every later one renumbered back): ``extracted``, one
                                ``references`` event and no claim event
======================  ======  ===================================================================

The two reference kinds are what real editors do most to references, and what made a history
release noisy before sources were compared by identity: each renumbered every claim's
citations. The benchmark's *noise* figure is the claim events per revision of the kinds that
change no claim (0 when renumbering is no event).

Why this mix: a long-lived, contested article's history is mostly small content edits to its
prose, then maintenance of its citations (bots adding archive links, editors fixing access
dates), a steady trickle of vandalism that is reverted within minutes, and now and then an edit
to the facts the datasets hold. The shares are a judgement, not measured from the article's
real history; they are chosen so that more than half of the revisions (prose and claim edits,
plus the first) need a full extraction, which is the expensive path, so a benchmark on this
history does not flatter the flow. Claim edits are few but present, so timelines, events and
the replay check have real work. A blanking is always directly followed by its revert (unless
the history ends first), so the two kinds have equal shares.

The page keeps its size however long the history, because the benchmark reads memory growth
per revision and a page that grew with the history would pass for a leak. Every edit that adds
something can be undone by a later edit of its kind (an archive note, a double space, a row or
sentence, found again whatever its day or figure has become since); a reference edit's way is
drawn with a pull back towards the article's own number of sources (``REFERENCE_PULL``), and an
addition cites again a source taken out earlier before it writes a new one (new sources render
larger than most of the article's). After a warm-up of a few thousand revisions, while archive
notes and double spaces reach their balance, the text's size wanders within about 1 %.

A history of 10,000 revisions must not hold 10,000 copies of a 190 kB text: a revision is its
parent's *slots* (one per line of the bundled article; an added row or sentence lives in the
slot of the line it follows) with one slot replaced, held as chunks of slots shared with the
parent, so an edit copies one chunk. ``text()`` joins them on demand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import random
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

ARTICLE = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"
FIRST_REVID = 900_000_000
START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
CHUNK = 32  # slots per shared chunk: an edit copies one chunk

# Shares of revisions, in percent (the docstring's table; a blanking brings its revert).
MIX = {
    "prose": 39,
    "ref_added": 3,
    "ref_removed": 3,
    "reference": 25,
    "claim_date": 3,
    "claim_estimate": 4,
    "claim_row": 3,
    "whitespace": 10,
    "blanking": 5,
    "revert": 5,
}
EXPECTED_STATUS = {
    "base": ("extracted", None),
    "prose": ("extracted", None),
    "reference": ("unchanged_sections", None),
    "claim_date": ("extracted", None),
    "claim_estimate": ("extracted", None),
    "claim_row": ("extracted", None),
    "whitespace": ("unchanged_sections", None),
    "blanking": ("skipped", "blanked"),
    "revert": ("identical", None),
    "ref_added": ("extracted", None),
    "ref_removed": ("extracted", None),
}
# Kinds that move references: each makes exactly one `references` event.
REFERENCE_KINDS = ("ref_added", "ref_removed")
REFERENCE_MOVE = "ref_added or ref_removed"  # one draw; the editor picks the way
# How strongly the way of a reference edit pulls back to the article's number of sources:
# with one source more than the article, an addition is 0.5 - REFERENCE_PULL likely.
REFERENCE_PULL = 0.1
CLAIM_KINDS = ("claim_date", "claim_estimate", "claim_row")

VANDALISM = (
    "MEK IS A CULT!!!",
    "this page is propaganda lol",
    "deleted because wikipedia is biased",
    "hello",
)
# Neutral words for prose edits: none is a measure, an estimator or a designation term.
VOCABULARY = (
    "notably",
    "largely",
    "initially",
    "eventually",
    "reportedly",
    "widely",
    "formally",
    "publicly",
    "several",
    "various",
    "numerous",
    "significant",
    "prominent",
    "particular",
    "subsequent",
    "considerable",
)
PROSE_WORD_RE = re.compile(r"(?<![\w\-'])[a-z]{5,}(?![\w\-'])")
BRACKETED_RE = re.compile(r"\[[^\]]*\]")  # [12], [citation needed]: markers, not prose
# A paragraph that mentions any of these may hold a claim the next edit creates or destroys
# (a figure of people, a listing, an election), so prose and white-space edits leave it alone.
CLAIM_WORDS_RE = re.compile(
    r"members|membership|supporters|sympathi[sz]ers|fighters|soldiers|militants|combatants|"
    r"personnel|followers|strength|people|persons|dissidents|attendees|gathering|rally|"
    r"designat|listed|listing|terroris|proscri|sanction|election|referendum|ballot|seats?\b",
    re.IGNORECASE,
)
DESIGNATION_DATE_RE = re.compile(
    r"(?P<verb>[Dd]esignated on|delisted on) (?P<day>\d{1,2}) (?P<month>January|February|March|"
    r"April|May|June|July|August|September|October|November|December) (?P<year>\d{4})"
)
ESTIMATE_FIGURE_RE = re.compile(
    r"(?<![\d,.])(?P<figure>\d{1,3}(?:,\d{3})+|\d{3,6})"
    r"(?= (?:MEK )?(?:members|sympathizers|fighters)\b)"
)
ARCHIVE_NOTE = " Archived from the original on 3 March 2016."
# The rows claim_row adds and removes, after the line that holds their anchor.
ADDED_ROWS = (
    (
        "\u00a0Canada Designated on",
        "\n\u00a0New Zealand Designated on 1 March 2010,[294] delisted on 5 May 2014[295]",
    ),
    (
        "according to the INSTAT data.[224]",
        " In 2019, Reuters estimated that about 2,700 MEK members lived in Ashraf 3.[224]",
    ),
)
Chunks = tuple[tuple[str | None, ...], ...]  # a None slot: a line taken out


@dataclass(frozen=True)
class SyntheticRevision:
    revid: int
    parentid: int
    timestamp: dt.datetime
    kind: str  # a key of EXPECTED_STATUS
    chunks: Chunks | str  # the slots, or the whole text of a blanked page
    # The latest earlier revision with the same text (a revert, a repeated vandalism, an edit
    # undone by the next one): then the revision is ``identical`` whatever its kind.
    identical_to: SyntheticRevision | None = None

    def text(self) -> str:
        if isinstance(self.chunks, str):
            return self.chunks
        return "\n".join(slot for chunk in self.chunks for slot in chunk if slot is not None)

    @cached_property
    def _digest(self) -> tuple[str, int]:
        data = self.text().encode("utf-8")
        return hashlib.sha1(data).hexdigest(), len(data)

    @property
    def sha1(self) -> str:
        return self._digest[0]

    @property
    def size(self) -> int:
        return self._digest[1]

    @property
    def status(self) -> str:
        return "identical" if self.identical_to else EXPECTED_STATUS[self.kind][0]

    @property
    def reason(self) -> str | None:
        """Why it is left out; an identical revision carries the reason of the one it
        repeats (a repeated vandalism is left out too)."""
        if self.identical_to:
            return self.identical_to.reason
        return EXPECTED_STATUS[self.kind][1]

    @property
    def api_timestamp(self) -> str:
        return self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Places:
    """Where each kind of edit may act, as 0-based line numbers of the bundled article."""

    prose: tuple[int, ...]
    references: tuple[int, ...]
    # Those lines' items (the text after "^ "): a slot can come to hold other items (a source
    # cited again lands beside an item), so an archive note goes on one of these only.
    reference_items: frozenset[str]
    dates: tuple[int, ...]
    estimates: tuple[int, ...]
    rows: tuple[int, ...]
    estimate_figures: dict[tuple[int, int], int]  # (line, nth figure) -> the article's figure
    reference_list_start: int  # the line of the numbered reference list's first item


@functools.cache
def _places(text: str) -> _Places:
    """Found from the article, never hard-coded: the claim lines are those its extraction
    cites (so prose edits can avoid them), the body ends where Document says."""
    from transforms import extract_all
    from transforms.document import HEADING_MAX_CHARS, Document

    lines = text.split("\n")
    body_end = Document.from_text(text).body_end
    tables = extract_all(text)
    claim_lines: set[int] = set()
    for name, column in (
        ("designations", "evidence_lines"),
        ("electoral_history", "enrichment_lines"),
        ("membership_estimates", None),
    ):
        frame = tables[name]
        claim_lines |= {int(n) - 1 for n in frame["source_line"]}
        if column:
            claim_lines |= {int(n) - 1 for cited in frame[column] for n in cited}
    first_prose = next(i for i, line in enumerate(lines[1:], 1) if len(line) > HEADING_MAX_CHARS)
    prose = tuple(
        i
        for i in range(first_prose, body_end)
        if i not in claim_lines
        and len(lines[i]) > 150
        and "\u00a0" not in lines[i]
        and lines[i].rstrip()[-1:] in '.]"'
        and not CLAIM_WORDS_RE.search(lines[i])
        and len(PROSE_WORD_RE.findall(lines[i])) >= 5
    )
    # Archive notes go on full citations only: a short one ("Zabih 1988, p. 250.") has none.
    short = {int(n) - 1 for n in tables["references"].query("is_short_citation")["source_line"]}
    # ... and only where the parser reads the same source with the note as without (it
    # misreads a few unusually formatted citations, which an archive note tips over).
    references = tuple(
        i
        for i in range(body_end, len(lines))
        if re.match(r"^\s*\d+\.\s+\^", lines[i])
        and i not in short
        and _cites_the_same(lines[i], lines[i] + ARCHIVE_NOTE)
    )
    designation_lines = {int(n) - 1 for n in tables["designations"]["source_line"]}
    dates = tuple(sorted(i for i in designation_lines if DESIGNATION_DATE_RE.search(lines[i])))
    estimate_lines = sorted({int(n) - 1 for n in tables["membership_estimates"]["source_line"]})
    figures = {}
    for i in estimate_lines:
        for nth, match in enumerate(ESTIMATE_FIGURE_RE.finditer(lines[i])):
            figures[(i, nth)] = int(match["figure"].replace(",", ""))
    estimates = tuple(sorted({i for i, _ in figures}))
    rows = tuple(
        next(i for i, line in enumerate(lines[:body_end]) if anchor in line)
        for anchor, _ in ADDED_ROWS
    )
    list_start = _reference_list(lines, body_end)[0]
    # Prose for edits is in the body; a prose paragraph's markers must be its own.
    items = frozenset(ITEM_PREFIX_RE.sub("", lines[i]) for i in references)
    return _Places(prose, references, items, dates, estimates, rows, figures, list_start)


def _any_numbers(text: str) -> str:
    """A pattern matching ``text`` whatever numbers (markers, days, figures) it has."""
    return re.sub(r"\d[\d,]*", lambda _: r"\d[\d,]*", re.escape(text))


def _renumber_item(line: str, start: int, by: int) -> str:
    match = LIST_ITEM_RE.match(line)
    if match is None or int(match["number"]) < start:
        return line
    return f"{match['indent']}{int(match['number']) + by}.{match['rest']}"


def _is_item(line: str, number: int) -> bool:
    match = LIST_ITEM_RE.match(line)
    return match is not None and int(match["number"]) == number


def _item_index(slots: list[str | None], start: int, number: int) -> int | None:
    """The slot holding the reference list's item ``number``."""
    for index in range(start, len(slots)):
        if slots[index] and any(_is_item(line, number) for line in slots[index].split("\n")):
            return index
    return None


ITEM_PREFIX_RE = re.compile(r"^\s*\d+\.\s+\^\s*(?:[a-z]{1,2} )*")


def _cites_the_same(item: str, edited: str) -> bool:
    """Whether two spellings of a reference list item parse to the same tracked fields."""
    from transforms.history import REFERENCE_TRACKED
    from transforms.references import parse_reference

    before = parse_reference(ITEM_PREFIX_RE.sub("", item))
    after = parse_reference(ITEM_PREFIX_RE.sub("", edited))
    return all(str(before.get(k)) == str(after.get(k)) for k in REFERENCE_TRACKED)


def _chunked(slots: list[str | None]) -> Chunks:
    return tuple(tuple(slots[i : i + CHUNK]) for i in range(0, len(slots), CHUNK))


def _replaced(chunks: Chunks, index: int, slot: str) -> Chunks:
    number, within = divmod(index, CHUNK)
    chunk = list(chunks[number])
    chunk[within] = slot
    return (*chunks[:number], tuple(chunk), *chunks[number + 1 :])


def _slot(chunks: Chunks, index: int) -> str:
    number, within = divmod(index, CHUNK)
    return chunks[number][within]


class _Editor:
    def __init__(self, places: _Places, rng: random.Random) -> None:
        self.places = places
        self.rng = rng
        self.sources = 0  # new sources written so far: each has its own title
        # The list items of sources taken out and not yet cited again (their text after "^ ").
        self.removed: list[str] = []
        self.balance = 0  # sources cited minus sources taken out so far

    def reference_move(self) -> str:
        """Which way a reference edit goes: more likely back towards the article's own
        number of sources the further the list has moved from it, so that over any length
        of history the list (and the page) keeps its size and both ways keep their share."""
        towards_adding = 0.5 - REFERENCE_PULL * self.balance
        return "ref_added" if self.rng.random() < towards_adding else "ref_removed"

    def edit(self, kind: str, chunks: Chunks) -> Chunks:
        if kind in REFERENCE_KINDS:
            return getattr(self, kind)(chunks)
        index, slot = getattr(self, kind)(chunks)
        return _replaced(chunks, index, slot)

    def _renumbered(self, chunks: Chunks, start: int, by: int) -> list[str | None]:
        """Every slot with markers ``[n]`` and list items ``n.`` from ``start`` on moved by
        ``by`` (after the body only the reference list's items: the notes list is first)."""
        slots = [slot for chunk in chunks for slot in chunk]
        first_item = self.places.reference_list_start
        for index, slot in enumerate(slots):
            if slot is None:
                continue
            slot = _shift_markers(slot, start, by)
            if index >= first_item:
                slot = "\n".join(_renumber_item(line, start, by) for line in slot.split("\n"))
            slots[index] = slot
        return slots

    def ref_added(self, chunks: Chunks) -> Chunks:
        index = self.rng.choice(self.places.prose)
        line = _slot(chunks, index)
        ends = [m.end() for m in re.finditer(r"\.(?= [A-Z])", line)] or [len(line)]
        at = self.rng.choice(ends)
        before = [slot for chunk in chunks for slot in chunk][:index]
        earlier = [int(n) for slot in before if slot for n in MARKER_RE.findall(slot)]
        earlier += [int(n) for n in MARKER_RE.findall(line[:at])]
        number = max(earlier, default=0) + 1
        self.balance += 1
        slots = self._renumbered(chunks, number, 1)
        line = slots[index]
        slots[index] = line[:at] + f"[{number}]" + line[at:]
        item = _item_index(slots, self.places.reference_list_start, number + 1)
        new = f"  {number}. ^ {self._source_to_cite()}"
        if item is None:  # after the last item
            last = _item_index(slots, self.places.reference_list_start, number - 1)
            slots[last] = slots[last] + "\n" + new
        else:
            # A slot can hold several items (an earlier addition joined its line): the new
            # one goes right before item number + 1, wherever that stands in the slot.
            lines = slots[item].split("\n")
            at = next(i for i, line in enumerate(lines) if _is_item(line, number + 1))
            slots[item] = "\n".join([*lines[:at], new, *lines[at:]])
        return _chunked(slots)

    def ref_removed(self, chunks: Chunks) -> Chunks:
        slots = [slot for chunk in chunks for slot in chunk]
        counts: dict[int, int] = {}
        for slot in slots:
            for n in MARKER_RE.findall(slot or ""):
                counts[int(n)] = counts.get(int(n), 0) + 1
        listed = {
            int(m["number"])
            for slot in slots[self.places.reference_list_start :]
            if slot
            for m in map(LIST_ITEM_RE.match, slot.split("\n"))
            if m
        }
        candidates = sorted(
            {
                int(n)
                for i in self.places.prose
                for n in MARKER_RE.findall(slots[i] or "")
                if counts[int(n)] == 1 and int(n) in listed
            }
        )
        number = self.rng.choice(candidates)
        self.balance -= 1
        item = _item_index(slots, self.places.reference_list_start, number)
        lines = slots[item].split("\n")
        self.removed.append(next(ITEM_PREFIX_RE.sub("", x) for x in lines if _is_item(x, number)))
        lines = [line for line in lines if not _is_item(line, number)]
        slots[item] = "\n".join(lines) if lines else None
        marker = f"[{number}]"
        slots = [None if s is None else s.replace(marker, "") for s in slots]
        renumbered = self._renumbered(_chunked(slots), number + 1, -1)
        return _chunked(renumbered)

    def _source_to_cite(self) -> str:
        """A source taken out earlier, cited again (editors restore removed sources), or
        when none waits a new one: new sources render larger than most of the article's, so
        writing a new one for every addition would grow the page with the history."""
        if self.removed:
            return self.removed.pop(self.rng.randrange(len(self.removed)))
        self.sources += 1
        return (
            f'Editor, Synthetic ({2000 + self.sources % 20}). "Synthetic source '
            f'{self.sources} on the MEK". Example Review. Retrieved 1 May 2021.'
        )

    def prose(self, chunks: Chunks) -> tuple[int, str]:
        index = self.rng.choice(self.places.prose)
        line = _slot(chunks, index)
        markers = [m.span() for m in BRACKETED_RE.finditer(line)]
        words = [
            m
            for m in PROSE_WORD_RE.finditer(line)
            if not any(start <= m.start() < end for start, end in markers)
        ]
        word = self.rng.choice(words)
        new = self.rng.choice([w for w in VOCABULARY if w != word[0]])
        return index, line[: word.start()] + new + line[word.end() :]

    def reference(self, chunks: Chunks) -> tuple[int, str]:
        choices = []
        for index in self.places.references:
            slot = _slot(chunks, index)
            if slot is None:
                continue
            lines = slot.split("\n")
            at = next((k for k, line in enumerate(lines) if self._takes_a_note(line)), None)
            if at is not None:
                choices.append((index, lines, at))
        index, lines, at = self.rng.choice(choices)
        line = lines[at]
        if line.endswith(ARCHIVE_NOTE):
            lines[at] = line.removesuffix(ARCHIVE_NOTE)
        else:
            lines[at] = line + ARCHIVE_NOTE
        return index, "\n".join(lines)

    def _takes_a_note(self, line: str) -> bool:
        prefix = ITEM_PREFIX_RE.match(line)
        item = line[prefix.end() :].removesuffix(ARCHIVE_NOTE) if prefix else None
        return item in self.places.reference_items

    def whitespace(self, chunks: Chunks) -> tuple[int, str]:
        index = self.rng.choice(self.places.prose)
        line = _slot(chunks, index)
        if "  " in line:
            return index, line.replace("  ", " ", 1)
        spaces = [i for i, ch in enumerate(line) if ch == " "]
        at = self.rng.choice(spaces)
        return index, line[:at] + " " + line[at:]

    def claim_date(self, chunks: Chunks) -> tuple[int, str]:
        index = self.rng.choice(self.places.dates)
        line = _slot(chunks, index)
        match = self.rng.choice(list(DESIGNATION_DATE_RE.finditer(line)))
        day = self.rng.choice([d for d in range(1, 29) if d != int(match["day"])])
        start, end = match.span("day")
        return index, line[:start] + str(day) + line[end:]

    def claim_estimate(self, chunks: Chunks) -> tuple[int, str]:
        index = self.rng.choice(self.places.estimates)
        line = _slot(chunks, index)
        matches = list(ESTIMATE_FIGURE_RE.finditer(line))
        nth = self.rng.randrange(len(matches))
        match = matches[nth]
        current = int(match["figure"].replace(",", ""))
        # A share of the article's own figure, so figures vary but never drift away.
        original = self.places.estimate_figures.get((index, nth), current)
        choices = [round(original * f / 10) * 10 for f in (0.8, 0.9, 1.1, 1.2, 1.5)]
        figure = self.rng.choice([c for c in choices if c != current and c > 0])
        written = f"{figure:,}" if "," in match["figure"] else str(figure)
        start, end = match.span("figure")
        return index, line[:start] + written + line[end:]

    def claim_row(self, chunks: Chunks) -> tuple[int, str]:
        which = self.rng.randrange(len(ADDED_ROWS))
        index = self.places.rows[which]
        addition = ADDED_ROWS[which][1]
        line = _slot(chunks, index)
        # Reference edits renumber markers, date and estimate edits change the row's day or
        # figure: the row and its anchor are found whatever their numbers (a row missed here
        # would be added a second time, and the page would grow).
        present = re.search(_any_numbers(addition), line)
        if present:
            return index, line[: present.start()] + line[present.end() :]
        anchor = ADDED_ROWS[which][0]
        if anchor.startswith("\u00a0"):  # a table row: after the anchor's line
            return index, line + addition
        at = re.search(_any_numbers(anchor), line).end()
        return index, line[:at] + addition + line[at:]


def synthetic_history(count: int, seed: int = 17) -> list[SyntheticRevision]:
    """``count`` revisions of the bundled article by the mix in the module docstring. Each
    revision depends only on those before it, so a shorter history of the same seed is a
    prefix of a longer one (and may end on a blanking whose revert did not fit)."""
    if count < 1:
        raise ValueError("a history has at least one revision")
    rng = random.Random(seed)
    text = ARTICLE.read_text(encoding="utf-8")
    editor = _Editor(_places(text), rng)
    chunks = _chunked(text.split("\n"))
    revid, stamp = FIRST_REVID, START
    revisions = [SyntheticRevision(revid, 0, stamp, "base", chunks)]
    latest = {revisions[0].sha1: revisions[0]}  # sha1 -> the latest revision with that text
    # A blanking is one draw of weight MIX["blanking"] that brings its revert next; a
    # reference edit is one draw of both kinds' weight, its way chosen by the editor.
    draws = {k: v for k, v in MIX.items() if k not in ("revert", *REFERENCE_KINDS)}
    draws[REFERENCE_MOVE] = sum(MIX[k] for k in REFERENCE_KINDS)
    names, weights = list(draws), list(draws.values())
    while len(revisions) < count:
        parent = revisions[-1]
        kind = "revert" if parent.kind == "blanking" else rng.choices(names, weights)[0]
        if kind == REFERENCE_MOVE:
            kind = editor.reference_move()
        revid += rng.randint(1, 40_000)  # the wiki's other pages are edited in between
        if kind == "revert":
            stamp += dt.timedelta(seconds=rng.randint(20, 900))
            content: Chunks | str = revisions[-2].chunks
        else:
            stamp += dt.timedelta(seconds=int(rng.expovariate(1 / 30_000)) + 1)
            if kind == "blanking":
                content = rng.choice(VANDALISM)
            else:
                assert not isinstance(parent.chunks, str)
                content = editor.edit(kind, parent.chunks)
        revision = SyntheticRevision(revid, parent.revid, stamp, kind, content)
        twin = latest.get(revision.sha1)
        if twin is not None:
            revision = dataclasses.replace(revision, identical_to=twin)
        latest[revision.sha1] = revision
        revisions.append(revision)
    return revisions


def serve_history(emulator, title: str, revisions: list[SyntheticRevision]) -> None:
    """Put ``revisions`` on ``emulator`` as the page ``title``: each one's HTML is rendered by
    ``wiki_html.article_html`` when ``action=parse`` asks for it, never held."""
    from wiki_html import article_html

    for revision in revisions:
        emulator.add_rendered_revision(
            title,
            lambda revision=revision: article_html(revision.text()),
            sha1=revision.sha1,
            size=revision.size,
            timestamp=revision.api_timestamp,
            revid=revision.revid,
        )


# --- edits as editors make them to the reference list -------------------------------------
# MediaWiki numbers references by first use: a reference added (or removed) renumbers every
# marker and list item after it. These edit the article's text the way the rendered page
# changes, so that a history of them tests that renumbering alone is never an event.

MARKER_RE = re.compile(r"\[(\d+)\]")
LIST_ITEM_RE = re.compile(r"^(?P<indent>\s*)(?P<number>\d+)\.(?P<rest> \^.*)$")


def _shift_markers(text: str, start: int, by: int) -> str:
    """Every ``[n]`` with ``n >= start`` becomes ``[n + by]``."""
    return MARKER_RE.sub(
        lambda m: f"[{int(m[1]) + by}]" if int(m[1]) >= start else m[0],
        text,
    )


def _reference_list(lines: list[str], body_end: int) -> list[int]:
    """Indexes of the numbered reference list's items (the last list after the body whose
    numbering starts at 1; the notes list comes first)."""
    starts = [i for i in range(body_end, len(lines)) if re.match(r"^\s*1\.\s+\^", lines[i])]
    first = starts[-1]
    return [i for i in range(first, len(lines)) if LIST_ITEM_RE.match(lines[i])]


def add_reference(text: str, after: str, item: str) -> str:
    """Cite a new source right after ``after`` (text of the body, found once) and add its
    list item ``item`` (the text after ``^ ``): it takes the number after the highest one cited
    before it, and every later marker and item moves up by one."""
    from transforms.document import Document

    at = text.index(after) + len(after)
    if text.count(after) != 1:
        raise ValueError(f"{after!r} must occur once")
    before = [int(n) for n in MARKER_RE.findall(text[:at])]
    number = max(before, default=0) + 1
    shifted = (
        _shift_markers(text[:at], number, 1) + f"[{number}]" + _shift_markers(text[at:], number, 1)
    )
    lines = shifted.split("\n")
    items = _reference_list(lines, Document.from_text(text).body_end)
    position = None
    for index in items:
        match = LIST_ITEM_RE.match(lines[index])
        if int(match["number"]) >= number:
            position = position if position is not None else index
            lines[index] = f"{match['indent']}{int(match['number']) + 1}.{match['rest']}"
    indent = LIST_ITEM_RE.match(lines[items[0]])["indent"]
    new = f"{indent}{number}. ^ {item}"
    if position is None:
        lines.insert(items[-1] + 1, new)
    else:
        lines.insert(position, new)
    return "\n".join(lines)


def remove_reference(text: str, number: int) -> str:
    """Take reference ``number`` out: its markers (it must be cited in the body only), its
    list item, and every later number moves down by one."""
    from transforms.document import Document

    body_end = Document.from_text(text).body_end
    lines = text.split("\n")
    items = _reference_list(lines, body_end)
    marker = f"[{number}]"
    if any(marker in line for line in lines[body_end : items[0]]):
        raise ValueError(f"reference {number} is cited after the body")
    lines[:body_end] = [line.replace(marker, "") for line in lines[:body_end]]
    removed = None
    for index in items:
        match = LIST_ITEM_RE.match(lines[index])
        if int(match["number"]) == number:
            removed = index
        elif int(match["number"]) > number:
            lines[index] = f"{match['indent']}{int(match['number']) - 1}.{match['rest']}"
    if removed is None:
        raise ValueError(f"no reference {number}")
    del lines[removed]
    head, tail = "\n".join(lines[:body_end]), "\n".join(lines[body_end:])
    return _shift_markers(head, number + 1, -1) + "\n" + _shift_markers(tail, number + 1, -1)


# The source the references-only history adds in the lead, and its ref_key (ISBN and page).
LEAD_ANCHOR = "to oppose the U.S.-backed Shah Mohammad Reza Pahlavi."
LEAD_SOURCE = (
    "Abrahamian, Ervand (1989). Radical Islam: The Iranian Mojahedin. I.B. Tauris. p. 1. "
    "ISBN 978-1-85043-077-3."
)
LEAD_SOURCE_KEY = "isbn:9781850430773|p=1"


def prose_only_reference(text: str) -> int:
    """A reference of ``text`` cited once, in prose, by no claim: removing it changes no
    claim (found from the extraction, never hard-coded); the middle one of those."""
    from transforms import extract_all

    tables = extract_all(text)
    cited: set[int] = set()
    for name in ("designations", "electoral_history", "membership_estimates"):
        for column in ("citations", "enrichment_citations"):
            if column in tables[name]:
                cited |= {int(n) for numbers in tables[name][column] for n in numbers}
    refs = tables["references"]
    chosen = refs[
        (refs["cited_count"] == 1)
        & (refs["backlink_count"] == 1)
        & ~refs["ref_number"].isin(cited)
        & ~refs["is_short_citation"]
    ]["ref_number"].tolist()
    return int(chosen[len(chosen) // 2])


def references_only_history() -> list[tuple[str, str]]:
    """(what, text) of four revisions of the bundled article in which only references move:
    the article; a source added in the lead (every later reference renumbered); a source
    removed from a prose paragraph (every later one renumbered back); the removal undone
    (the second revision's text again, so its sha1)."""
    base = ARTICLE.read_text(encoding="utf-8")
    added = add_reference(base, LEAD_ANCHOR, LEAD_SOURCE)
    removed = remove_reference(added, prose_only_reference(base) + 1)
    return [
        ("the bundled article", base),
        ("a source added in the lead", added),
        ("a prose source removed", removed),
        ("the removal undone", added),
    ]
