"""designations: who listed the group, when, and when it was delisted.

The designation table survives flattening as lines like::

    Currently listed by  Iran Designated by the current government[290] since 1981, ...
     Iraq Designated by the post-2003 government[197][292]
    Formerly listed by  Ruritania Designated on 3 March 2004, delisted on 5 May 2010[99]

A group label ("Currently listed by", "Formerly listed by", "Other designations") opens a
group; following rows start with the authority's name (its flag icon lost). The table is found
by that shape alone, never by its heading or line numbers. Every other dated mention of a
listing or delisting in the prose is then matched to a row: agreeing mentions become
``evidence_lines``, disagreeing ones ``conflict`` findings, and an authority the prose dates but
the table lacks becomes a row of its own. A sentence that reads as a listing or delisting, names
an authority and holds a date, but yields no dated mention (so no row takes it up) becomes a
``candidate_designation`` finding quoting it: an unseen phrasing is never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from transforms.authorities import authority_code, authority_name, find_authorities
from transforms.citations import reference_numbers, strip_citations
from transforms.dates import PartialDate, find_dates
from transforms.document import Document, Sentence
from transforms.quality import Finding
from transforms.references import with_citation_keys
from transforms.schema import DESIGNATIONS, to_frame

# "Currently listed by", "Formerly listed by", "Other designations": a capitalised word, then
# lower-case words, then the first capital of the authority's name.
GROUP_LABEL_RE = re.compile(
    r"^(?P<label>(?:Currently|Formerly|Previously|Other)(?:\s+[a-z]+){0,3})\s+(?=[A-Z])"
)
GROUP_STATUS = (
    (re.compile(r"^Currently", re.I), "current"),
    (re.compile(r"^(?:Formerly|Previously)", re.I), "former"),
    (re.compile(r"^Other", re.I), "other"),
)
# Cheap test for a line that could be a row at all.
ROW_HINT_RE = re.compile(r"Designated|designated|Listed|Added|The group|Described|Proscribed")
# What a row says after the authority's name.
ROW_BODY_RE = re.compile(
    r"^(?:Designated|Not designated|Listed|Added|The group|Described|Proscribed)\b"
)
REGIME_RE = re.compile(
    r"\b(?:by|during|under)\s+(?:the\s+)?(?P<regime>(?:[\w-]+\s+){0,2}?"
    r"(?:government|dynasty|regime|administration|monarchy))\b"
)
CLAUSE_JOIN_RE = re.compile(r",?\s*(?:also|and)?\s*$")
DELISTING_CUE_RE = re.compile(r"\b(?:delisted|removed|lifted|until|till|revoked)\b[^,;]*$", re.I)
SANCTIONS_RE = re.compile(
    r"[Nn]ot designated as (?:a )?terrorist\w* but (?:added|listed) (?:to|on) (?:the )?"
    r"(?P<detail>.+?)(?=\s+(?:on|in)\s+(?:\d|[A-Z][a-z]+ \d)|\[|$)"
)
DESCRIPTION_RE = re.compile(r"\bdescribed as\s+(?P<detail>.+?)(?=\s+(?:in|on)\s+\d|\[|$)")
# Prose mentions of an event: a verb that asserts it (not "to be delisted", "to remove").
DELISTING_VERB_RE = re.compile(
    r"(?<!to be )(?<!to )\b(?:delisted|lifted|removed|revoked|took \w+ off|taken off)\b", re.I
)
LISTING_VERB_RE = re.compile(
    r"(?<!to be )(?<!to )\b(?:listed|designated|added|put|proscribed|placed)\b", re.I
)
LISTING_CONTEXT_RE = re.compile(r"terror|\blist\b|delist|designation|proscri", re.I)
LISTING_CONTEXT_WORDS = ("terror", "list", "designation", "proscri")
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
    else:
        rows = list(_parse_table(document, table_lines, findings))
    table_line_numbers = {number for number, _ in table_lines}
    all_mentions, unread = _scan_listing_sentences(document)
    mentions = [m for m in all_mentions if m.sentence.line not in table_line_numbers]
    rows = _cross_check(rows, mentions, findings)
    listed = {row.code for row in rows}
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


def find_designation_table(document: Document) -> list[tuple[int, str]]:
    """The lines of the designation table: from a group-labelled row to the last row."""
    table: list[tuple[int, str]] = []
    for number, text in document.numbered_lines(1, document.body_end):
        if not table and not ROW_HINT_RE.search(text):
            continue  # no row verb: cannot open a table
        stripped = text.strip()
        is_labelled = _group_label(stripped) is not None
        is_row = is_labelled or _split_authority(stripped) is not None
        if table and is_row:
            table.append((number, text))
        elif is_labelled:
            table = [(number, text)]
        elif table:
            break
    return table


def _group_label(text: str) -> tuple[str, str] | None:
    match = GROUP_LABEL_RE.match(text)
    if not match:
        return None
    label = match.group("label")
    rest = text[match.end() :]
    if _split_authority(rest) is None:
        return None
    for pattern, status in GROUP_STATUS:
        if pattern.search(label):
            return label, status
    return None


def _split_authority(text: str) -> tuple[str, str, str] | None:
    """'United States Designated on …' -> ('United States', 'US', 'Designated on …')."""
    words = text.split(" ")
    for size in range(min(5, len(words) - 1), 0, -1):
        name = " ".join(words[:size])
        body = " ".join(words[size:]).strip()
        if not ROW_BODY_RE.match(body):
            continue
        code = authority_code(strip_citations(name))
        if code is not None:
            return name, code, body
    return None


def _parse_table(document: Document, table_lines, findings: list[Finding]):
    status = None
    for number, text in table_lines:
        stripped = text.strip()
        labelled = _group_label(stripped)
        if labelled is not None:
            label, status = labelled
            stripped = stripped[len(label) :].strip()
        split = _split_authority(stripped)
        if split is None or status is None:
            findings.append(
                Finding(
                    kind="unparsed",
                    table="designations",
                    detail=f"Could not read designation row: {stripped!r}",
                    source_line=number,
                )
            )
            continue
        name, code, body = split
        yield from _parse_row(number, text.strip(), name, code, body, status, findings)


def _parse_row(number, quote, name, code, body, group_status, findings):
    kind, detail = _listing_kind(body)
    for clause, regime in _regime_clauses(body):
        listed_on, delisted_on = _clause_dates(clause)
        status = group_status
        if group_status == "current" and delisted_on is not None:
            status = "former"  # an earlier regime's listing inside the "current" group
        row = DesignationRow(
            authority=authority_name(code) if code in ("EU", "UN") else strip_citations(name),
            code=code,
            status=status,
            listing_kind=kind,
            line=number,
            quote=quote,
            citations=reference_numbers(clause) or reference_numbers(body),
            listing_detail=detail,
            regime=regime,
            listed_on=listed_on,
            delisted_on=delisted_on,
        )
        if group_status == "former" and delisted_on is None:
            findings.append(
                Finding(
                    kind="unparsed",
                    table="designations",
                    detail=f"{row.authority} is in the formerly-listed group but its row gives no "
                    f"delisting date: {clause!r}",
                    source_line=number,
                )
            )
        yield row


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
        return [(body, matches[0].group("regime") if matches else None)]
    clauses = []
    for index, match in enumerate(matches):
        start = 0 if index == 0 else _clause_start(body, match.start())
        end = _clause_start(body, matches[index + 1].start()) if index + 1 < len(matches) else None
        clauses.append((body[start:end], match.group("regime")))
    return clauses


def _clause_start(body: str, regime_start: int) -> int:
    """Back up from 'during …' over ', also ' so the joining words stay with the clause."""
    before = body[:regime_start]
    join = CLAUSE_JOIN_RE.search(before)
    return join.start() if join else regime_start


def _clause_dates(clause: str) -> tuple[PartialDate | None, PartialDate | None]:
    listed_on = delisted_on = None
    text = strip_citations(clause)
    for date in find_dates(text):
        if not _is_event_date(text, date):
            continue
        if DELISTING_CUE_RE.search(text[: date.start]):
            delisted_on = delisted_on or date
        else:
            listed_on = listed_on or date
    return listed_on, delisted_on


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
    if not dates:
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
        f"{', '.join(names)} with the date(s) {written or 'none'} but no designation row "
        "takes it up: "
        f"{reason}. Sentence: {text!r}",
        source_line=sentence.line,
    )


def _listing_event(plain: str) -> str | None:
    """'delisted' or 'listed' when the sentence asserts such an event, else None."""
    if DELISTING_VERB_RE.search(plain):
        return "delisted"
    if LISTING_VERB_RE.search(plain) and LISTING_CONTEXT_RE.search(plain):
        return "listed"
    return None


def _mentions_listing(text: str) -> bool:
    """LISTING_CONTEXT_RE, with a cheap substring test first (most paragraphs fail it)."""
    lowered = text.lower()
    if not any(word in lowered for word in LISTING_CONTEXT_WORDS):
        return False
    return LISTING_CONTEXT_RE.search(text) is not None


def _read_listing_sentence(sentence: Sentence) -> tuple[list[Mention], str | None]:
    """The sentence's dated mentions, and its event when it reads as a listing or delisting
    that names an authority (None otherwise)."""
    text = sentence.text
    plain = strip_citations(text)
    event = _listing_event(plain)
    if event is None:
        return [], None
    authorities = find_authorities(text)
    dates = find_dates(text)
    mentions = []
    for date in dates:
        if not _is_event_date(text, date):
            continue
        clause_start, clause_end = _clause_bounds(text, date)
        before = [a for a in authorities if clause_start <= a.start < date.start]
        after = [a for a in authorities if date.end <= a.start < clause_end]
        authority = before[-1] if before else (after[0] if after else None)
        if authority is None:
            continue
        citations = reference_numbers(text[clause_start : _extend_over_markers(text, clause_end)])
        mentions.append(Mention(authority.code, event, date, sentence, tuple(citations)))
    return mentions, event if authorities else None


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
