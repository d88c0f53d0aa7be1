"""designations: who listed the group, when, and when it was delisted.

The designation table survives flattening as lines like::

    Currently listed by  Iran Designated by the current government[290] since 1981, ...
     Iraq Designated by the post-2003 government[197][292]
    Formerly listed by  Ruritania Designated on 3 March 2004, delisted on 5 May 2010[99]

A group label ("Currently listed by", "Formerly listed by", "Other designations") opens a
group; following rows start with the authority's name (its flag icon lost). The table is found
by that shape alone, never by its heading or line numbers, and is its whole block. Each row is
read alone, its group label carried down to it (docs/reading-tables.md): what the row holds
that no reader expects is its ``row_remark``, and a row that cannot be read is an
``unreadable_row`` finding, never a value guessed or moved to another row. Every other dated
mention of a
listing or delisting in the prose is then matched to a row: agreeing mentions become
``evidence_lines``, disagreeing ones ``conflict`` findings, and an authority the prose dates but
the table lacks becomes a row of its own. A sentence that reads as a listing or delisting, names
an authority and holds a date, but yields no dated mention (so no row takes it up) becomes a
``candidate_designation`` finding quoting it: an unseen phrasing is never dropped silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from transforms.authorities import authority_code, authority_name, find_authorities
from transforms.citations import reference_numbers, strip_citations
from transforms.dates import PartialDate, find_dates
from transforms.document import SENTENCE_CACHE_SIZE, Document, Sentence
from transforms.quality import Finding
from transforms.references import with_citation_keys
from transforms.schema import DESIGNATIONS, to_frame
from transforms.table_rows import join_remarks, set_aside_remarks

# "Currently listed by", "Formerly listed by", "Other designations": a capitalised word, then
# lower-case words (a marker or tag may follow), then the first capital of the authority's name.
GROUP_LABEL_RE = re.compile(
    r"^(?P<label>(?:Currently|Formerly|Previously|Other)(?:\s+[a-z]+){0,3})"
    r"(?:\[[^\]\n]{1,40}\])*\s+(?=[A-Z])"
)
GROUP_KEYWORD_RE = re.compile(r"^(?:Currently|Formerly|Previously|Other)\b")
# The label cell ends where the authority's cell starts: the flag icon's blank after the cell
# separator leaves two blanks (in the bundled text and in text from the rendered HTML alike).
CELL_GAP_RE = re.compile(r"\s{2,}")
MAX_LABEL_CHARS = 60
GROUP_STATUS = (
    (re.compile(r"^Currently", re.I), "current"),
    (re.compile(r"^(?:Formerly|Previously)", re.I), "former"),
    (re.compile(r"^Other", re.I), "other"),
)
# Cheap test for a line that could be a row at all.
ROW_HINT_RE = re.compile(r"Designated|designated|Listed|Added|The group|Described|Proscribed")
# A group label alone on its line (its rows below it).
LABEL_ALONE_RE = re.compile(
    r"^(?P<label>(?:Currently|Formerly|Previously|Other)(?:\s+[a-z]+){0,3})\s*$"
)
# Where a row's own words start after the authority's name (anything before is a remark).
ROW_BODY_SEARCH_RE = re.compile(
    r"\b(?:Designated|Not designated|Listed|Added|The group|Described|Proscribed|Banned|"
    r"Outlawed|Placed|Put)\b"
)
# A line that carries on the row above: it starts with a row's verb or event word, a
# lower-case word, a digit, a marker or punctuation, never with a name.
CONTINUATION_RE = re.compile(
    r"^(?:[a-z0-9(\[,;.–-]|(?:Designated|Not designated|Listed|Delisted|De-listed|Added|"
    r"Removed|Lifted|Proscribed|Deproscribed|De-proscribed|Revoked|Banned|Since|Until|From|"
    r"On|In|The group|Described)\b)"
)
WORD_SPAN_RE = re.compile(r"\S+")
MAX_AUTHORITY_WORDS = 6
# Parts of a row's clause: each date takes its event from a cue in its own part.
# A comma before a year belongs to a US-format date ("May 24, 2005"), not to the clause.
ROW_PART_BREAK_RE = re.compile(r";|,(?!\s*(?:1[89]|20)\d\d\b)|\s+and\s+|\s+but\s+then\s+")
ROW_CUE_RE = re.compile(
    r"\b(?:(?P<delisting>de-?listed|de-?proscribed|unlisted|removed|lifted|revoked|rescinded|"
    r"withdrawn|ended|until|till)|(?P<listing>designated|re-?listed|listed|added|proscribed|"
    r"banned|outlawed|blacklisted|placed|put|since|described))\b",
    re.I,
)
# A date stated as the time of an event: after a temporal preposition or straight after a cue.
ROW_EVENT_DATE_RE = re.compile(
    r"(?:\b(?:on|in|since|from|until|till|by)\s+(?:the\s+)?|\b(?:de-?listed|de-?proscribed|"
    r"unlisted|removed|lifted|revoked|rescinded|designated|re-?listed|listed|added|proscribed|"
    r"banned|outlawed|blacklisted)\s+)$",
    re.I,
)
# A year inside a compound word ("the post-2003 government") is no event date.
HYPHENATED_YEAR_RE = re.compile(r"-\d{4}|\d{4}-")
MARKERS = r"(?:\[[^\]\n]{1,40}\])*"  # citation markers an editor may put between any words
REGIME_RE = re.compile(
    rf"\b(?:by|during|under){MARKERS}\s+(?:the{MARKERS}\s+)?"
    rf"(?P<regime>(?:[\w-]+{MARKERS}\s+){{0,2}}?"
    r"(?:government|dynasty|regime|administration|monarchy))\b"
)
CLAUSE_JOIN_RE = re.compile(r",?\s*(?:also|and)?\s*$")
SANCTIONS_RE = re.compile(
    r"[Nn]ot designated as (?:a )?terrorist\w* but (?:added|listed) (?:to|on) (?:the )?"
    r"(?P<detail>.+?)(?=\s+(?:on|in)\s+(?:\d|[A-Z][a-z]+ \d)|\[|$)"
)
DESCRIPTION_RE = re.compile(r"\bdescribed as\s+(?P<detail>.+?)(?=\s+(?:in|on)\s+\d|\[|$)")
# Prose mentions of an event: a verb that asserts it (not "to be delisted", "to remove").
DELISTING_VERB_RE = re.compile(
    # the word boundary first: most positions fail it before the look-behinds run
    r"\b(?<!to be )(?<!to )(?:de-?listed|lifted|removed|revoked|took(?:\s+[\w'’]+){1,3}?\s+off|"
    r"taken off|struck(?:\s+[\w'’]+){0,3}?\s+from)\b"
    # an infinitive that still asserts the act: "was the first to lift", "decided … to revoke"
    r"|\b(?:(?:first|last|next)\s+to|(?:decided|voted|agreed)\b[^.;]{0,40}?\bto)\s+"
    r"(?:lift|remove|revoke|delist|drop|end)\b",
    re.I,
)
LISTING_VERB_RE = re.compile(
    r"\b(?<!to be )(?<!to )(?:listed|designated|added|adds|put|proscribed|placed|blacklisted|"
    r"branded|outlawed|banned)\b",
    re.I,
)
# "until 3 March 2010" after a listing: the date its listing ended.
UNTIL_DATE_RE = re.compile(r"\b(?:until|till)\s+(?:the\s+)?$", re.I)
# The object of an active listing verb when it is another organisation ("designated Iran's
# Islamic Revolutionary Guard Corps"): that listing is not the group's.
LISTED_OBJECT_RE = re.compile(
    r"\b(?:listed|designated|added|adds|proscribed|blacklisted|branded|outlawed|banned)\s+"
    r"(?P<object>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)
SELF_NAME_RE = re.compile(r"^(?:MEK|PMOI|MKO|Mojahedin|Mujahedin|People['’]s Moj|Its\b|It\b)")
# "under UN Security Council Resolution 1373", "under the Terrorism Act 2000": the legal basis
# of an act names no acting authority.
LEGAL_BASIS_RE = re.compile(r"\bunder\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s+){0,3}$")
# A timeline entry opens with its date: "24 May 2005: Canada adds …".
TIMELINE_SEPARATOR_RE = re.compile(r"\s*[:–—-]\s")
LISTING_CONTEXT = r"terror|\blist\b|de-?list|blacklist|designation|proscri|\bban\b"
LISTING_CONTEXT_RE = re.compile(LISTING_CONTEXT, re.I)
# The same on lower-cased text: a case-blind scan is slower, and most paragraphs are scanned.
LISTING_CONTEXT_LOWER_RE = re.compile(LISTING_CONTEXT)
LISTING_CONTEXT_WORDS = ("terror", "list", "designation", "proscri", " ban")
# A date introduced as the time of an event ("on 5 May 2010", "in June 2008").
TEMPORAL_PREPOSITION_RE = re.compile(r"(?:\b(?:on|in|since|from|until|by)\s+(?:the\s+)?)$", re.I)
CLAUSE_BREAK_RE = re.compile(r"[;,]|\band\b|\bfollowed by\b")
LEADING_MARKERS_RE = re.compile(r"[.,;]?(?:\[[^\]\n]{1,40}\])+")
NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass
class DesignationRow:
    authority: str
    code: str
    status: str
    listing_kind: str
    line: int
    quote: str
    citations: list[int]
    listing_detail: str | None = None
    regime: str | None = None
    listed_on: PartialDate | None = None
    delisted_on: PartialDate | None = None
    evidence_lines: list[int] = field(default_factory=list)
    citation_rule: str = "row"
    table_group: str | None = None  # the group label the row was read under; None from prose
    stated_dates: int | None = None  # event dates its table row states; None from prose
    row_remark: str | None = None  # what the row holds that was not read, verbatim


@dataclass(frozen=True)
class Mention:
    code: str
    event: str  # "listed" or "delisted"
    date: PartialDate
    sentence: Sentence
    citations: tuple[int, ...]


def extract_designations(document: Document) -> pd.DataFrame:
    frame, _ = extract_designations_with_findings(document)
    return frame


def extract_designations_with_findings(document: Document) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    table_lines = find_designation_table(document)
    if not table_lines:
        findings.append(
            Finding(
                kind="missing_section",
                table="designations",
                detail="No designation table found: no line starts with a group label such as "
                "'Currently listed by' followed by an authority's name.",
            )
        )
    rows: list[DesignationRow] = []
    unreadable: set[str] = set()  # authorities whose table row could not be read
    if table_lines:
        rows = list(_parse_table(table_lines, findings, unreadable))
    table_line_numbers = {number for number, _ in table_lines}
    all_mentions, unread = _scan_listing_sentences(document)
    # Prose about an authority whose row is unreadable makes no row of its own: the row is
    # named in a finding, and a partial row from prose would stand in for it unannounced.
    mentions = [
        m
        for m in all_mentions
        if m.sentence.line not in table_line_numbers and m.code not in unreadable
    ]
    rows = _cross_check(rows, mentions, findings)
    listed = {row.code for row in rows} | unreadable
    findings.extend(
        _candidate_finding(sentence, event)
        for sentence, event in unread
        if sentence.line not in table_line_numbers and _not_taken_up(sentence, listed)
    )
    return with_citation_keys(document, _to_frame(rows)), findings


def _not_taken_up(sentence: Sentence, listed: set[str]) -> bool:
    """A dated listing sentence that gave no mention is a miss; an undated one is a miss only
    when it names an authority that has no row at all (else it restates a row)."""
    if find_dates(sentence.text):
        return True
    return any(a.code not in listed for a in find_authorities(sentence.text))


@dataclass
class TableRow:
    """One row of the designation table: its line(s), and the group label above it."""

    line: int
    lines: list[int]
    text: str  # the row's lines joined, its group label taken off
    quote: str  # the row's lines verbatim
    group: str | None  # current, former or other: the status of the group label it is under


@dataclass
class UnreadableRow(Exception):
    why: str
    code: str | None = None


def find_designation_table(document: Document) -> list[tuple[int, str]]:
    """The lines of the designation table: from a group-labelled row to the end of its block
    (the next blank line). Every line of the block belongs to the table, read or not, so a
    row the reader does not understand is never read as prose instead. A block of several
    lines wins over a lone line that opens like a row (a paragraph is one line)."""
    candidates: list[list[tuple[int, str]]] = []
    table: list[tuple[int, str]] | None = None
    for number, text in document.numbered_lines(1, document.body_end):
        if table is not None:
            if text.strip():
                table.append((number, text))
                continue
            if len(table) > 1:
                return table
            table = None  # one line alone: a prose paragraph that looks like a row, maybe
        if _opens_table(text.strip()):
            table = [(number, text)]
            candidates.append(table)
    return table if table and len(table) > 1 else (candidates[0] if candidates else [])


def _opens_table(stripped: str) -> bool:
    """A group label, then an authority's name or a row's verb."""
    label = _group_label(stripped)
    if label is None:
        return False
    rest = stripped[label[1] :]
    return _leading_authority(rest) is not None or ROW_HINT_RE.search(rest) is not None


def _group_label(stripped: str) -> tuple[str, int] | None:
    """The status a row's group label gives and where the label ends, or None. The label is
    what precedes the gap before the authority's cell, whatever an editor added to it
    ("Formerly listed by[a]"); without that gap, the words of a label."""
    if not GROUP_KEYWORD_RE.match(stripped):
        return None
    status = _label_status(stripped)
    gap = CELL_GAP_RE.search(stripped, 0, MAX_LABEL_CHARS)
    if gap is not None and "." not in stripped[: gap.start()]:
        return (status, gap.end()) if status else None
    match = GROUP_LABEL_RE.match(stripped)
    return (status, match.end()) if match and status else None


def _label_status(label: str) -> str | None:
    for pattern, status in GROUP_STATUS:
        if pattern.search(label):
            return status
    return None


def table_rows(table_lines: list[tuple[int, str]]) -> list[TableRow]:
    """The table's rows, each with the group label it stands under (carried down like a
    rowspan). A line that continues the row above (a row split over two lines: it starts
    with a row's verb, a date, a lower-case word or a marker) joins that row."""
    rows: list[TableRow] = []
    group: str | None = None
    for number, text in table_lines:
        stripped = text.strip()
        if (alone := LABEL_ALONE_RE.match(stripped)) is not None:
            group = _label_status(alone.group("label")) or group
            continue
        label = _group_label(stripped)
        if label is not None:
            group = label[0]
            text_after = stripped[label[1] :].strip()
            rows.append(TableRow(number, [number], text_after, stripped, group))
        elif rows and CONTINUATION_RE.match(stripped):
            row = rows[-1]
            row.lines.append(number)
            row.text = f"{row.text} {stripped}"
            row.quote = f"{row.quote}\n{stripped}"
        else:
            rows.append(TableRow(number, [number], stripped, stripped, group))
    return rows


def _leading_authority(text: str) -> tuple[str, str, str] | None:
    """'United States (FTO list) Designated on …' -> ('United States', 'US', '(FTO list) …'):
    the longest run of leading words that names a known authority."""
    words = list(WORD_SPAN_RE.finditer(text))[:MAX_AUTHORITY_WORDS]
    for size in range(len(words), 0, -1):
        end = words[size - 1].end()
        name = strip_citations(text[:end]).strip().rstrip(",;:")
        if not name or "(" in name:
            continue
        code = authority_code(name)
        if code is not None:
            return name, code, text[end:].strip()
    return None


def _parse_table(table_lines, findings: list[Finding], unreadable: set[str]):
    for table_row in table_rows(table_lines):
        try:
            yield from _read_row(table_row)
        except UnreadableRow as problem:
            if problem.code:
                unreadable.add(problem.code)
            findings.append(_unreadable_finding(table_row, problem.why))


def _unreadable_finding(row: TableRow, why: str) -> Finding:
    return Finding(
        kind="unreadable_row",
        table="designations",
        detail=f"Designation table row at line {row.line} cannot be read: {why}. No value is "
        f"taken from it (nor from prose about the same authority). Row: {row.quote!r}",
        source_line=row.line,
        related_lines=row.lines[1:],
    )


def _read_row(row: TableRow) -> list[DesignationRow]:
    """One row, read alone: its authority, then its listing period(s)."""
    if row.group is None:
        raise UnreadableRow("no group label (currently, formerly, other) stands above it")
    aside = set_aside_remarks(row.text)  # parentheticals and tags: remarks, never values
    remarks = list(aside.remarks)
    split = _leading_authority(aside.text)
    if split is None:
        raise UnreadableRow("it does not start with the name of a known state or body")
    name, code, rest = split
    body_start = ROW_BODY_SEARCH_RE.search(rest)
    preface = rest[: body_start.start()] if body_start else ""
    body = rest[body_start.start() :] if body_start else rest
    if strip_citations(preface).strip(" ,;:"):
        remarks.insert(0, preface.strip())
    kind, detail = _listing_kind(body)
    if row.group == "other" and kind == "terrorist_designation":
        raise UnreadableRow(
            "it is under Other designations but its words are neither a listing on another "
            "list ('not designated … but added to …') nor a description ('described as …')",
            code,
        )
    clauses = _regime_clauses(body)
    read: list[DesignationRow] = []
    for index, (clause, regime) in enumerate(clauses):
        events = _clause_events(clause, code)
        remarks += events.unread
        status = row.group
        if row.group == "current" and index > 0 and events.delisted_on is None:
            raise UnreadableRow(
                f"it names an earlier regime ({regime}) under the currently-listed group but "
                "no date is read for when that listing ended",
                code,
            )
        if row.group == "current" and events.delisted_on is not None:
            if len(clauses) < 2:
                raise UnreadableRow(
                    "it is in the currently-listed group but gives a delisting date", code
                )
            status = "former"  # an earlier regime's listing inside the "current" group
        if row.group == "former" and events.delisted_on is None:
            raise UnreadableRow(
                "it is in the formerly-listed group but no delisting date is read from it", code
            )
        if events.stated >= 2 and (events.listed_on is None or events.delisted_on is None):
            raise UnreadableRow(
                f"it states {events.stated} dates but only one is read as a listing or a delisting",
                code,
            )
        # A delisting dated before its listing is read as written: the blocking expectation on
        # date order stops the release (a shifted value looks exactly like that).
        read.append(
            DesignationRow(
                authority=authority_name(code) if code in ("EU", "UN") else name,
                code=code,
                status=status,
                listing_kind=kind,
                line=row.line,
                quote=row.quote,
                citations=reference_numbers(clause) or reference_numbers(row.text),
                listing_detail=detail,
                regime=regime,
                listed_on=events.listed_on,
                delisted_on=events.delisted_on,
                table_group=row.group,
                stated_dates=events.stated,
            )
        )
    set_aside_dates = [d for r in aside.remarks for d in _remark_dates(r)]
    # (A former row without its delisting date is unreadable already.)
    if set_aside_dates and any(r.listed_on is None for r in read):
        raise UnreadableRow(
            f"a date ({set_aside_dates[0]}) stands only in a parenthetical or tag, and the row "
            "has no listing date without it",
            code,
        )
    remark = join_remarks(remarks)
    for designation in read:
        designation.row_remark = remark
    return read


def _remark_dates(remark: str) -> list[PartialDate]:
    """Dates in a set-aside remark that could be a row's event: one stated as an event, or
    one to the day or month ("(28 March 2001)"); not a bare year ("the Terrorism Act 2000")."""
    text = strip_citations(remark)
    return [
        d
        for d in find_dates(text)
        if d.precision != "year" or ROW_EVENT_DATE_RE.search(text[: d.start])
    ]


def _listing_kind(body: str) -> tuple[str, str | None]:
    text = strip_citations(body)
    if (match := SANCTIONS_RE.search(text)) is not None:
        return "sanctions_list", match.group("detail").strip()
    if (match := DESCRIPTION_RE.search(text)) is not None:
        return "description", "described as " + match.group("detail").strip()
    return "terrorist_designation", None


def _regime_clauses(body: str) -> list[tuple[str, str | None]]:
    """Split a row into one clause per regime ("the current government …, also during …")."""
    matches = list(REGIME_RE.finditer(body))
    if len(matches) <= 1:
        return [(body, strip_citations(matches[0].group("regime")) if matches else None)]
    clauses = []
    for index, match in enumerate(matches):
        start = 0 if index == 0 else _clause_start(body, match.start())
        end = _clause_start(body, matches[index + 1].start()) if index + 1 < len(matches) else None
        clauses.append((body[start:end], strip_citations(match.group("regime"))))
    return clauses


def _clause_start(body: str, regime_start: int) -> int:
    """Back up from 'during …' over ', also ' so the joining words stay with the clause."""
    before = body[:regime_start]
    join = CLAUSE_JOIN_RE.search(before)
    return join.start() if join else regime_start


@dataclass
class ClauseEvents:
    listed_on: PartialDate | None = None
    delisted_on: PartialDate | None = None
    stated: int = 0  # event dates the clause states, read or not
    unread: list[str] = field(default_factory=list)  # parts that gave no value


def _first(token: tuple[int, object]) -> int:
    return token[0]


def _clause_events(clause: str, code: str) -> ClauseEvents:
    """Each date takes its event from the nearest cue before it in its own part of the clause
    ("Designated on …", "delisted on …", "since …", "until …"); a cue dates one event only. A
    part with a date and no cue, or no cue at all, gives nothing and is kept as a remark. Two
    dates for one event make the row unreadable: which is right would be a guess."""
    events = ClauseEvents()
    text = strip_citations(clause)
    for part in ROW_PART_BREAK_RE.split(text):
        # A capitalised cue past the start of its part is a name ("the Proscribed
        # Organisations Appeal Commission"), not the row's verb.
        cues = [
            c
            for c in ROW_CUE_RE.finditer(part)
            if c.group(0).islower() or not part[: c.start()].strip()
        ]
        dates = [d for d in find_dates(part) if ROW_EVENT_DATE_RE.search(part[: d.start])]
        events.stated += len(dates)
        unplaced = [
            d
            for d in find_dates(part)
            if d not in dates and not HYPHENATED_YEAR_RE.match(part, max(d.start - 1, 0))
        ]
        if unplaced:
            raise UnreadableRow(
                f"a date it states ({part[unplaced[0].start : unplaced[0].end]!r}) is not "
                "introduced as the time of an event (on, in, since, until, … or a verb such as "
                "designated or delisted before it)",
                code,
            )
        tokens = sorted([(c.start(), c) for c in cues] + [(d.start, d) for d in dates], key=_first)
        pending: str | None = None
        read_to = 0  # where the part's read text ends
        for _, token in tokens:
            if isinstance(token, re.Match):
                pending = "delisted_on" if token.group("delisting") else "listed_on"
                read_to = token.end()
                continue
            if pending is None:
                break  # a date no cue introduces: from here on the part is a remark
            if getattr(events, pending) is not None:
                raise UnreadableRow(
                    f"it gives two {pending.removesuffix('_on')} dates "
                    f"({getattr(events, pending)} and {token})",
                    code,
                )
            setattr(events, pending, token)
            pending = None
            read_to = token.end
        unread_dates = any(d.end > read_to for d in dates)
        if not cues or unread_dates:
            leftover = part[read_to:].strip(" ,;.")
            if leftover:
                events.unread.append(leftover)
    return events


def _is_event_date(text: str, date: PartialDate) -> bool:
    """'on 3 March 2004', 'since 1981' yes; 'the post-2003 government' no."""
    return TEMPORAL_PREPOSITION_RE.search(text[: date.start]) is not None


def _scan_listing_sentences(
    document: Document,
) -> tuple[list[Mention], list[tuple[Sentence, str]]]:
    """The dated mentions, and the sentences that read as a listing or delisting (verb,
    authority, date) yet gave none, each with its event."""
    mentions: list[Mention] = []
    unread: list[tuple[Sentence, str]] = []
    for paragraph in document.paragraphs:
        if not _mentions_listing(paragraph.text):
            continue
        for sentence in paragraph.sentences:
            found, event = _read_listing_sentence(sentence)
            mentions.extend(found)
            if not found and event is not None:
                unread.append((sentence, event))
    return mentions, unread


def _candidate_finding(sentence: Sentence, event: str) -> Finding:
    """Why a listing-like sentence gave no dated mention, in words a maintainer can act on."""
    text = sentence.text
    names = list(dict.fromkeys(authority_name(a.code) for a in find_authorities(text)))
    dates = find_dates(text)
    event_dates = [d for d in dates if _is_event_date(text, d)]
    if not names:
        reason = "it names no state or body that could have made the listing"
    elif not dates:
        reason = "it gives no date, and no designation row names this authority"
    elif not event_dates:
        reason = (
            "no date in it is introduced as the time of the event (on, in, since, from, until "
            "or by before it)"
        )
    else:
        reason = "no authority stands in the clause of its date"
    written = ", ".join(repr(text[d.start : d.end]) for d in dates)
    return Finding(
        kind="candidate_designation",
        table="designations",
        detail=f"Line {sentence.line} reads as a {event.removesuffix('ed')}ing by "
        f"{', '.join(names) or 'an unnamed authority'} with the date(s) {written or 'none'} "
        "but no designation row "
        "takes it up: "
        f"{reason}. Sentence: {text!r}",
        source_line=sentence.line,
    )


def _listing_event(plain: str) -> str | None:
    """'delisted' or 'listed' when the sentence asserts such an event, else None."""
    if DELISTING_VERB_RE.search(plain):
        return "delisted"
    if _lists_the_group(plain) and LISTING_CONTEXT_RE.search(plain):
        return "listed"
    return None


def _lists_the_group(plain: str) -> bool:
    """A listing verb whose object is not another named organisation."""
    for verb in LISTING_VERB_RE.finditer(plain):
        listed = LISTED_OBJECT_RE.match(plain, verb.start())
        if listed is None or SELF_NAME_RE.match(listed["object"]):
            return True
    return False


def _clause_event(text: str, clause_start: int, date: PartialDate, sentence_event: str) -> str:
    """The event of one dated clause: its own verb ("Designated by … on 4 June 1999, … was
    taken off the list on 5 May 2010"), "until" before the date (the listing's end), else
    the sentence's."""
    clause = strip_citations(text[clause_start : date.start])
    if UNTIL_DATE_RE.search(clause) or DELISTING_VERB_RE.search(clause):
        return "delisted"
    if _lists_the_group(clause):
        return "listed"
    return sentence_event


def _is_prose_event_date(text: str, date: PartialDate) -> bool:
    """An event date in prose: introduced by a temporal preposition, or opening a timeline
    entry ("24 May 2005: Canada adds …")."""
    if _is_event_date(text, date):
        return True
    return (
        not text[: date.start].strip() and TIMELINE_SEPARATOR_RE.match(text, date.end) is not None
    )


def _acting_authorities(text: str):
    """The authorities named in ``text`` that can act: not the legal basis of an act ("under
    UN Security Council Resolution 1373")."""
    return [a for a in find_authorities(text) if not LEGAL_BASIS_RE.search(text, 0, a.start)]


def _shared_subject(text: str, authorities, clause_start: int):
    """For a dated clause that names no authority ("…, and revoked the proscription on 24
    June 2008", "…, on 26 January 2009"): the authority last named before it in the same
    part of the sentence (not across a semicolon)."""
    part_start = text.rfind(";", 0, clause_start) + 1
    before = [a for a in authorities if part_start <= a.start < clause_start]
    return before[-1] if before else None


def _mentions_listing(text: str) -> bool:
    """LISTING_CONTEXT_RE, with a cheap substring test first (most paragraphs fail it)."""
    lowered = text.lower()
    if not any(word in lowered for word in LISTING_CONTEXT_WORDS):
        return False
    return LISTING_CONTEXT_LOWER_RE.search(lowered) is not None


def _read_listing_sentence(sentence: Sentence) -> tuple[list[Mention], str | None]:
    """The sentence's dated mentions, and its event when it reads as a listing or delisting
    that names an authority (None otherwise)."""
    found, event = _read_listing_text(sentence.text)
    mentions = [Mention(code, what, date, sentence, cited) for code, what, date, cited in found]
    return mentions, event


@functools.lru_cache(maxsize=SENTENCE_CACHE_SIZE)
def _read_listing_text(
    text: str,
) -> tuple[tuple[tuple[str, str, PartialDate, tuple], ...], str | None]:
    """``_read_listing_sentence`` of a sentence's words, as (code, event, date, citations) per
    mention: once per worker for the same words (a history's revisions share nearly all)."""
    plain = strip_citations(text)
    event = _listing_event(plain)
    if event is None:
        return (), None
    authorities = _acting_authorities(text)
    dates = find_dates(text)
    mentions = []
    for date in dates:
        if not _is_prose_event_date(text, date):
            continue
        clause_start, clause_end = _clause_bounds(text, date)
        before = [a for a in authorities if clause_start <= a.start < date.start]
        after = [a for a in authorities if date.end <= a.start < clause_end]
        authority = before[-1] if before else (after[0] if after else None)
        if authority is None:
            authority = _shared_subject(text, authorities, clause_start)
        if authority is None:
            continue
        citations = reference_numbers(text[clause_start : _extend_over_markers(text, clause_end)])
        clause_event = _clause_event(text, clause_start, date, event)
        mentions.append((authority.code, clause_event, date, tuple(citations)))
    # A dated act with no authority named ("Secretary of State Hillary Clinton decided on …")
    # is still a listing sentence that went unread.
    dated = any(_is_prose_event_date(text, date) for date in dates)
    return tuple(mentions), event if authorities or dated else None


def _clause_bounds(text: str, date: PartialDate) -> tuple[int, int]:
    """The clause around a date; a date opening the sentence ("On 5 May 2010, the
    U.S. State Department …") takes the clause after its comma."""
    start = max((m.end() for m in CLAUSE_BREAK_RE.finditer(text, 0, date.start)), default=0)
    following = CLAUSE_BREAK_RE.search(text, date.end)
    if following and following.start() == date.end and following.group(0) == ",":
        following = CLAUSE_BREAK_RE.search(text, following.end())
    return start, following.start() if following else len(text)


def _extend_over_markers(text: str, end: int) -> int:
    match = LEADING_MARKERS_RE.match(text, end)
    return match.end() if match else end


def _cross_check(
    rows: list[DesignationRow], mentions: Iterable[Mention], findings: list[Finding]
) -> list[DesignationRow]:
    rows = list(rows)
    for mention in mentions:
        candidates = [r for r in rows if r.code == mention.code]
        if not candidates:
            rows.append(_row_from_mention(mention))
            continue
        attribute = "delisted_on" if mention.event == "delisted" else "listed_on"
        dated = [r for r in candidates if getattr(r, attribute) is not None]
        if not dated:
            _match_undated(candidates, attribute, mention, findings)
            continue
        agreeing = [r for r in dated if getattr(r, attribute).same_event(mention.date)]
        if agreeing:
            _add_evidence(agreeing[0], mention.sentence.line)
            continue
        row = min(dated, key=lambda r: abs(getattr(r, attribute).value - mention.date.value))
        findings.append(
            _conflict(
                row,
                mention,
                f"line {row.line} says {getattr(row, attribute)} but line {mention.sentence.line} "
                f"says {mention.date} ({_verbatim_date(mention)!r})",
            )
        )
    return rows


def _match_undated(
    candidates: list[DesignationRow], attribute: str, mention: Mention, findings: list[Finding]
) -> None:
    """A mention dates an event its row leaves undated."""
    row = candidates[0]
    if row.citation_rule != "row":  # a row read from prose is completed from prose
        setattr(row, attribute, mention.date)
        if attribute == "delisted_on":
            row.status = "former"
        _add_evidence(row, mention.sentence.line)
    elif attribute == "delisted_on" and row.status == "current":
        findings.append(
            _conflict(
                row,
                mention,
                f"line {row.line} lists it as current but line {mention.sentence.line} says it "
                f"was delisted ({_verbatim_date(mention)!r})",
            )
        )
    else:
        _add_evidence(row, mention.sentence.line)


def _conflict(row: DesignationRow, mention: Mention, says: str) -> Finding:
    return Finding(
        kind="conflict",
        table="designations",
        detail=f"{row.authority} {mention.event} date: {says}.",
        source_line=mention.sentence.line,
        related_lines=[row.line],
    )


def _verbatim_date(mention: Mention) -> str:
    return mention.sentence.text[mention.date.start : mention.date.end]


def _add_evidence(row: DesignationRow, line: int) -> None:
    if line != row.line and line not in row.evidence_lines:
        row.evidence_lines.append(line)


def _row_from_mention(mention: Mention) -> DesignationRow:
    sentence = mention.sentence
    citations = list(mention.citations)
    return DesignationRow(
        authority=authority_name(mention.code),
        code=mention.code,
        status="former" if mention.event == "delisted" else "current",
        listing_kind="terrorist_designation",
        line=sentence.line,
        quote=sentence.text,
        citations=citations,
        citation_rule="sentence" if citations else "none",
        listed_on=mention.date if mention.event == "listed" else None,
        delisted_on=mention.date if mention.event == "delisted" else None,
    )


def _designation_ids(rows: list[DesignationRow]) -> list[str]:
    ids = []
    for row in rows:
        base = row.code.lower()
        if row.regime:
            base += "-" + NOT_SLUG_RE.sub("-", row.regime.lower()).strip("-")
        candidate, suffix = base, 2
        while candidate in ids:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        ids.append(candidate)
    return ids


def _to_frame(rows: list[DesignationRow]) -> pd.DataFrame:
    def date_value(d: PartialDate | None):
        return d.value if d else None

    def precision(d: PartialDate | None):
        return d.precision if d else None

    records = [
        {
            "designation_id": designation_id,
            "authority": row.authority,
            "authority_code": row.code,
            "status": row.status,
            "listing_kind": row.listing_kind,
            "listing_detail": row.listing_detail,
            "row_remark": row.row_remark,
            "table_group": row.table_group,
            "stated_dates": row.stated_dates,
            "regime": row.regime,
            "listed_on": date_value(row.listed_on),
            "listed_on_precision": precision(row.listed_on),
            "delisted_on": date_value(row.delisted_on),
            "delisted_on_precision": precision(row.delisted_on),
            "evidence_lines": sorted(row.evidence_lines),
            "citations": row.citations,
            "citation_rule": row.citation_rule if row.citations else "none",
            "source_line": row.line,
            "quote": row.quote,
        }
        for designation_id, row in zip(_designation_ids(rows), rows, strict=True)
    ]
    return to_frame(DESIGNATIONS, records)
