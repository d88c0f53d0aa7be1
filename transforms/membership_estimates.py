"""membership_estimates: every statement of the organisation's size, attributed and dated.

A size statement is a count or range followed (or preceded) by a word for what was counted
("5,000 fighters", "a membership of between 3,000–5,000", "armed wing strength 6,000–8,000"),
read from the infobox and from every sentence of the body. Counts of people killed, executed,
imprisoned, arrested or injured, of hunger strikers, warrants and attacks, and the members of
other bodies are not the organisation's size and are left out by rule, not by line.

Per estimate the sentence gives its qualifier, who made it ("According to X", "X estimated",
"Reports by X"), the period it refers to ("in early 1980", "before the 2003 war") and where it
applies ("in Iraq", "its Albania camp", "global membership"). What the sentence does not say
stays null: no year is borrowed from a neighbouring sentence.

Besides "5,000 fighters", editors write a size as a frame around a bare figure ("their prewar
strength to be about 2,000", "membership was estimated at 3,000"), carry a figure into a second
clause ("…, later peaking to 10,000", "… in 1979 and 10,000 in 1981") and use number words
("some forty members"). A lone number word with no qualifier or frame ("two former members")
names particular people and is prose.

No silent misses: every figure that stands in a size context (a counted noun such as members,
fighters or supporters right after it, a size word such as strength or membership framing it,
or one of those words close by in its clause) is either a row or a ``candidate_estimate``
finding quoting the sentence and saying why it was not read (a count of people killed, the
members of another body, no counted noun next to the figure). Every estimator is resolved to
its canonical id and kind (transforms/estimators.py); one missing from that table is published
with a derived id and reported as an ``unknown_estimator`` finding.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import pandas as pd

from transforms.authorities import authority_code
from transforms.citations import ANY_MARKER_RE, REFERENCE_MARKER_RE, strip_citations
from transforms.document import SENTENCE_CACHE_SIZE, Document, Sentence
from transforms.estimators import resolve
from transforms.numbers import DASHES, QUALIFIER_AFTER_RE, Quantity, find_quantities
from transforms.quality import Finding
from transforms.references import with_citation_keys
from transforms.schema import MEMBERSHIP_ESTIMATES, to_frame

TABLE = MEMBERSHIP_ESTIMATES.name

# Infobox rows survive with label and value glued: "Membership (2011)4,000 to 9,000 (X estimate)".
INFOBOX_SIZE_RE = re.compile(
    r"^(?P<label>Membership|Members|Strength|Size)\s*(?:\((?P<year>\d{4})\))?\s*"
    r"(?P<value>\d.*?)\s*(?:\((?P<source>[^)]*?)\s*(?:estimate|est\.)\))?\s*$"
)
COUNT_NOUNS = {
    "members": "members",
    "membership": "members",
    "fighter": "fighters",
    "fighters": "fighters",
    "soldiers": "fighters",
    "troops": "fighters",
    "militants": "fighters",
    "guerrillas": "fighters",
    "combatants": "fighters",
    "supporters": "supporters",
    "sympathizers": "sympathizers",
    "sympathisers": "sympathizers",
    "followers": "supporters",
    "cadres": "members",
    "personnel": "members",
    "persons": "persons",
    "people": "persons",
    "dissidents": "persons",
    "residents": "residents",
    "attendees": "attendees",
}
# Words that may stand between the number and the counted noun ("5,000 hard-core members").
NOUN_ADJECTIVES = (
    r"(?:MEK|PMOI|MKO|Mojahedin|Mujahedin|hard-core|hardcore|core|armed|active|Iranian|"
    r"trained|full-time)"
)
STRONG_RE = re.compile(r"^-strong\b(?P<what>[^.,;]*)")
NOUN_AFTER_RE = re.compile(
    # "120,000 of MEK members", "100,000 of its members": a share of the group's own
    rf"""^["”']?\s*(?:of\s+(?:its|their|the\s+group['’]s|(?:the\s+)?MEK(?:['’]s)?)\s+)?"""
    rf"""(?:{NOUN_ADJECTIVES}\s+)*"""
    rf"""(?P<noun>{"|".join(sorted(COUNT_NOUNS, key=len, reverse=True))})\b"""
    r"(?P<of_other>\s+of\s+(?:the\s+)?(?!MEK|PMOI|the organi[sz]ation|the group|its\b|Camp\b)"
    r"(?:[A-Z]|(?:parliament|congress|the\s+(?:parliament|government|cabinet|assembly|council))\b))?"
)
# Words that frame a bare figure as the group's size ("strength to be about 2,000",
# "membership was estimated at 3,000", "its numbers at 3,000") and what each measures.
FRAME_MEASURES = {
    "strength": "fighters",
    "force": "fighters",
    "forces": "fighters",
    "population": "residents",
    "crowd": "attendees",
    "army": "fighters",
} | {word: "members" for word in ("membership", "size", "numbers")}
# Between the frame word and the figure: only the words of a statement of size.
FRAME_FILLER = (
    r"to|be|been|being|was|were|is|are|at|of|as|estimated|put|stood|reached|peaked|numbered|"
    r"totall?ed|then|had|has|have|now|still|just|only|thought|believed|said|given|assessed"
)
SIZE_NOUNS = {noun for noun in COUNT_NOUNS if COUNT_NOUNS[noun] != "persons"}
FRAME_NOUNS = "|".join(sorted(set(FRAME_MEASURES) | SIZE_NOUNS, key=len, reverse=True))
FRAME_NOUN_RE = re.compile(rf"(?<![\w-])(?:{FRAME_NOUNS})(?![\w-])", re.I)
FRAME_BEFORE_RE = re.compile(
    rf"(?<![\w-])(?P<noun>{FRAME_NOUNS})"
    rf"(?:\s+(?:{FRAME_FILLER}))+\s*$",
    re.I,
)
# A verb that states a size right before the figure ("numbered no fewer than 3,800", "stood at
# about 3,000", "had dwindled to fewer than 1,000", "ranged from 2,500 to 3,000"), or "put …
# at" / "reckoned at": the figure is the size of the size word before it in its clause ("the
# group's membership in Albania stood at", "Paris police put the crowd at").
SIZE_VERB_BEFORE_RE = re.compile(
    r"(?:\b(?:numbered|numbering|numbers|totall?ed|totall?ing|reached|(?:stood|stands|standing|"
    r"peaked|peaking)\s+at|rang(?:ed|ing)\s+from|(?:swell(?:ed|ing)?|swollen|dwindl(?:ed|ing)|"
    r"sh?r[aiu]nk|fell|fallen|rose|risen|grew|grown|declined|dropped|climbed|increased|"
    r"decreased)\s+to)"
    r"|\b(?:put|puts|putting|reckoned|estimated|assessed|placed|pegged)\b[^.;,\d]{0,60}?\bat)"
    r"\s*$",
    re.I,
)
SIZE_VERB_WINDOW = 100
# "the number of people present at about 200": the number of what.
NUMBER_OF_RE = re.compile(r"\bnumber\s+of\s+(?P<noun>[a-z]+)\b", re.I)
# A lone number word is a count when a qualifier, a frame or a verb of having introduces it
# ("some forty members", "the cell had forty members").
LONE_WORD_INTRO_RE = re.compile(
    r"(?:\b(?:had|has|have|having|numbered|numbering|totall?ing)\s+)$", re.I
)
# A figure carried into a second clause: "about 2,000, later peaking to 10,000", "2,000
# members in 1979 and 10,000 in 1981". The text between the two figures may hold a verb of
# change or end in a plain conjunction.
CARRY_GAP_MAX = 80
CHANGE_VERB_RE = re.compile(
    r"\b(?:peak\w*|ris\w*|rose|gr[eo]w\w*|fell|fall\w*|declin\w*|reach\w*|swell\w*|swollen|"
    r"increas\w*|decreas\w*|drop\w*|shr[aiu]nk\w*|climb\w*|dwindl\w*|jump\w*|doubl\w*)\b",
    re.I,
)
CARRY_CONJUNCTION_RE = re.compile(r"(?:\b(?:and|or|then|but)|,)\s+(?:to\s+|at\s+)?$", re.I)
RELATIVE_TIME_RE = re.compile(r"\b(?:later|subsequently|afterwards|thereafter|eventually)\b")
# Size context for findings: a size word near the figure in its clause.
SIZE_CONTEXT_WORDS = SIZE_NOUNS | set(FRAME_MEASURES) | {"army", "armies", "strong"}
SIZE_CONTEXT_RE = re.compile(
    rf"(?<![\w-])(?:{'|'.join(sorted(SIZE_CONTEXT_WORDS, key=len, reverse=True))})(?![\w-])", re.I
)
CONTEXT_WINDOW = 50
DIGITS_RE = re.compile(r"\d(?:[\d,]*\d)?")
# The figure's own noun when it counts something else ("2,000 pieces", "36 mass graves").
OWN_NOUN_RE = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?P<noun>[a-z]{3,}s)\b")
MONTH_AFTER_RE = re.compile(
    r"^\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
MONTH_BEFORE_RE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+$"
)
# Every estimate names what it counts with one of these words; sentences without any are
# skipped before the (costly) number search.
MEASURE_HINT_WORDS = (
    frozenset(COUNT_NOUNS)
    | set(FRAME_MEASURES)
    | {"strong", "wing", "total", "armies", "member", "man", "men"}
)
# Any hint word standing as a whole word (lower case text): one search instead of a word list.
MEASURE_HINT_RE = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(sorted(map(re.escape, MEASURE_HINT_WORDS), key=len, reverse=True))
    + r")(?![a-z])"
)
STRONG_FORCE_RE = re.compile(r"armed|guerrill|military|fighting|army|militia|brigade|\bforce", re.I)
# "a 7,000-member force", "the 4,000-member community": the figure as an adjective.
MEMBER_ADJECTIVE_RE = re.compile(r"^-(?:members?|man|men)\b(?P<what>(?:\s+[\w-]+){0,2})")
# "a 540-member parliament-in-exile": the members of a body, not the group.
OTHER_BODY_RE = re.compile(
    r"\b(?:parliament|council|committee|assembly|cabinet|delegation|board|congress|senate|"
    r"jury|panel)\w*",
    re.I,
)
# A count tied to an event is its attendance: "a caravan of about 500 supporters", "some 2,000
# supporters at its 2011 rally".
EVENT_NOUNS = r"(?:rally|rallies|gathering|caravan|march|demonstration|protest|convention)"
EVENT_OF_BEFORE_RE = re.compile(rf"\b(?:a|an|the|its|their)\s+{EVENT_NOUNS}\s+of\s+$", re.I)
AT_EVENT_AFTER_RE = re.compile(
    rf"^\s+(?:at|during)\s+(?:a|an|the|its|their)\s+(?:[\w-]+\s+){{0,2}}?{EVENT_NOUNS}\b", re.I
)
ATTENDING_MEASURES = {"supporters", "sympathizers", "persons", "members"}
# A number that is part of a name: "Ashraf-3", "Ashraf 3", "Route 66", "Resolution 1373", and
# an ordinal ("the 23rd Brigade").
NAME_BEFORE_NUMBER_RE = re.compile(r"(?<![.!?]\s)\b[A-Z][a-z]+(?:-|\s)$")
ORDINAL_AFTER_RE = re.compile(r"(?:st|nd|rd|th)\b")  # used with .match(text, position)
# What comes right before the number when the noun does ("a membership of between 3,000").
NOUN_BEFORE_RE = re.compile(
    r"(?P<phrase>(?:(?:armed|political|military)\s+wing(?:\s+strength)?|membership|strength|"
    r"military force|armed force|force|a total|total))\s*(?:of\s+|is\s+|was\s+|at\s+)?$",
    re.I,
)
MEASURE_AFTER_TOTAL_RE = re.compile(r"^\s*(?P<noun>membership|members|fighters)\b")
# Counts that are not the organisation's size.
NOT_SIZE_RE = re.compile(
    r"kill|execut|imprison|arrest|injur|wound|death|dead\b|died|hunger|warrant|attack|"
    r"assassinat|murder|detain|detention|sentenced|prison|jail|massacre|casualt|immolat|"
    r"hostage|bomb|seats?\b|charg|rounded up|taken prisoner",
    re.I,
)
GATHERING_RE = re.compile(r"gathering|rally|rallies|present|attend|demonstrat|crowd", re.I)
SELF_RE = re.compile(
    r"^(?:the\s+)?(?:MEK|PMOI|MKO|Mojahedin|Mujahedin|NCRI|group|organi[sz]ation)\b", re.I
)
CAPITALISED = r"[A-Z][\w.'’&-]*"
NAME = rf"{CAPITALISED}(?:\s+(?:of|on|for|and|the|de|al|{CAPITALISED}))*"
ESTIMATOR_PATTERNS = (
    # "According to a 2003 article by The New York Times", "according to the INSTAT data"
    re.compile(
        rf"[Aa]ccording to\s+(?:a\s+\d{{4}}\s+\w+\s+(?:by|in|from)\s+)?(?:the\s+)?(?P<who>{NAME})"
    ),
    # "by the reckoning of the United States Department of Defense"
    re.compile(
        rf"\b(?:by|in)\s+the\s+(?:reckoning|count|estimate|estimation|view)\s+of\s+"
        rf"(?:the\s+)?(?P<who>{NAME})"
    ),
    # "Reports by The Military Balance in 2003 …, as well as BMI Research's 2008 report"
    re.compile(
        rf"\b(?:[Rr]eports?|[Aa]rticle|[Ss]tudy|[Ss]urvey)\s+(?:by|in|from)\s+(?P<who>{NAME})"
        rf"(?:[^.]*?as well as\s+(?P<also>{NAME})(?:'s)?)?"
    ),
    # "Pierre Razoux estimates", "the MEK claimed", "a New York Times reporter … estimated"
    re.compile(
        rf"(?P<who>{NAME})(?:'s)?(?:\s+[a-z][\w-]*){{0,4}}?\s+"
        r"(?:estimates?|estimated|stated|states|reported|reports|claimed|claims|said|says|"
        r"counted|put|writes|wrote|notes|noted|found|finds)\b"
    ),
    # Passive voice: "was estimated at 3,000 by the State Department", "put … by Analysts"
    re.compile(
        rf"\b(?:estimated|put|reported|counted|given|assessed|numbered|claimed)\b[^.;]{{0,60}}?"
        rf"\bby\s+(?:the\s+)?(?P<who>{NAME})"
    ),
)
ESTIMATOR_STOPWORDS = {
    "In",
    "On",
    "By",
    "A",
    "An",
    "It",
    "This",
    "According",
    "Reports",
    # words that open a leading clause ("With an annual budget estimated at …")
    "With",
    "When",
    "Once",
    "Under",
    "During",
    "Between",
    "Before",
    "After",
}
# Periods, as worded: "in early 1980", "before the 2003 war", "from 1981–1983 to 1987–1988".
MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)"
)
YEAR = r"(?:1[89]|20)\d\d"
# "the 1990s", "the mid-1990s": a decade, or its early (0-3), middle (4-6) or late (7-9) years.
DECADE = r"(?:(?P<part>early|mid|late)[- ])?(?P<decade>(?:1[89]|20)\d0)['’]?s\b"
DECADE_RE = re.compile(DECADE, re.I)
DECADE_PARTS = {None: (0, 9), "early": (0, 3), "mid": (4, 6), "late": (7, 9)}
PERIOD_PATTERNS = (
    re.compile(rf"\bfrom\s+{YEAR}(?:[{DASHES}]{YEAR})?\s+to\s+{YEAR}(?:[{DASHES}]{YEAR})?"),
    # "between 1981–1983 and 1987–1988", "Between 1981 and 1986"
    re.compile(rf"\b[Bb]etween\s+{YEAR}(?:[{DASHES}]{YEAR})?\s+and\s+{YEAR}(?:[{DASHES}]{YEAR})?"),
    re.compile(rf"\b(?:(?:[Ii]n|[Bb]y|[Dd]uring|[Tt]hroughout)\s+)?the\s+{DECADE}"),
    re.compile(rf"\b(?:[Bb]efore|[Aa]fter|[Uu]ntil|[Ss]ince)\s+(?:the\s+)?{YEAR}(?:\s+[a-z]+)?\b"),
    re.compile(rf"\b(?:[Tt]owards?|[Nn]ear|[Aa]t)\s+the\s+end\s+of\s+(?:the\s+)?{YEAR}"),
    re.compile(rf"\b(?:[Ii]n|[Ff]or)\s+{YEAR}\s+and\s+{YEAR}"),
    re.compile(
        rf"\b(?:[Ii]n|[Oo]n|[Bb]y|[Dd]uring)\s+(?:(?:early|mid|late)[- ])?"
        rf"(?:\d{{1,2}}\s+)?(?:{MONTHS}\s+)?{YEAR}"
    ),
    re.compile(
        rf"\b(?:[Aa]|[Tt]he|[Ii]ts|[\w-]+'s)\s+{YEAR}\s+(?:article|report|gathering|rally|estimate|survey|study)"
    ),
    re.compile(
        r"\b(?:[Nn]ear|[Aa]t|[Tt]owards?)\s+the\s+end\s+of\s+the\s+[A-Z][\w–-]+(?:\s+[A-Z][\w–-]+)*\s+War"
    ),
    # "their prewar strength", "post-war": a period the text names without a year.
    re.compile(r"\b(?:[Pp]re|[Pp]ost)-?war\b|\b[Ww]artime\b"),
)
YEAR_TOKEN_RE = re.compile(rf"(?<!\d){YEAR}(?!\d)")
LEADING_PREPOSITION_RE = re.compile(r"^(?:[Ii]n|[Oo]n|[Dd]uring|[Ff]or)\s+")
LEADING_DETERMINER_RE = re.compile(r"^(?:[Aa]|[Tt]he|[Ii]ts|[\w-]+['’]s)\s+")
# "2003 report" is the period 2003.
YEAR_OF_PUBLICATION_RE = re.compile(rf"^({YEAR})\s+(?:article|report|estimate|survey|study)$")
YEAR_ONLY_RE = re.compile(YEAR)
UNTIL_RE = re.compile(r"^[Bb]efore\b|^[Uu]ntil\b")
SINCE_RE = re.compile(r"^[Aa]fter\b|^[Ss]ince\b")
CLAUSE_END_RE = re.compile(r"[;,]\s|\.\s|$")
POSSESSIVE_END_RE = re.compile(r"['’]s$")
# A number followed by a unit or a span of time counts no people.
UNIT_AFTER_RE = re.compile(
    r"^\s*(?:per\s*cent|%|km|kilometers|kilometres|miles|years?|days?|months?)"
)
# Where: "in Iraq", "in its Albania camp", "to Albania", "at Camp Ashraf", "global membership".
SCOPE_RE = re.compile(
    r"(?<![Aa]ccording )\b(?:in|to|at|into|enter|entered|based in|throughout)\s+(?:its\s+|the\s+)?"
    r"(?P<place>(?:Camp\s+)?[A-Z][\w-]+(?:\s+camp\b)?)"
)
GLOBAL_RE = re.compile(r"\b(?:global|worldwide|world-wide)\b", re.I)
NOT_PLACES = {"The", "A", "An", "Its", "It", "This"}
# "10,000 members, one-third to one-half of whom were fighters"
FRACTION_WORDS = {"half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5}
SHARE_RE = re.compile(
    r"^,?\s*(?:one|a)[- ](?P<low>half|third|quarter|fourth|fifth)"
    r"(?:\s+to\s+(?:one|a)[- ](?P<high>half|third|quarter|fourth|fifth))?\s+of\s+whom\s+were\s+"
    r"(?P<noun>\w+)"
)


@dataclass(frozen=True)
class Estimate:
    quantity: Quantity
    measure: str
    scope: str | None
    derived: bool = False
    # For a figure carried into a second clause: the words between it and the figure it
    # continues ("…, later peaking to "), which may name its period.
    carried_gap: str | None = None


@dataclass(frozen=True)
class Miss:
    """A figure in a size context that was not read, and why."""

    quantity: Quantity
    context: str  # the size word it stands with
    reason: str
    severity: str  # info: left out by a stated rule; warning: a phrasing not understood


def extract_membership_estimates(document: Document) -> pd.DataFrame:
    frame, _ = extract_membership_estimates_with_findings(document)
    return frame


def extract_membership_estimates_with_findings(
    document: Document,
) -> tuple[pd.DataFrame, list[Finding]]:
    rows: list[dict] = []
    findings: list[Finding] = []
    for number, text in document.numbered_lines(1, document.body_end):
        if (match := INFOBOX_SIZE_RE.match(text.strip())) is not None:
            rows.extend(_infobox_rows(number, text.strip(), match))
    candidates = [p for p in document.paragraphs if _may_count(p.text)]
    for sentence, citations, rule in document.cited_sentences(candidates):
        if INFOBOX_SIZE_RE.match(sentence.text):
            continue
        rows.extend(_sentence_rows(sentence, citations, rule, findings))
    rows.sort(key=lambda r: (r["source_line"], r["position"]))
    reported: set[tuple[str, int]] = set()
    for row in rows:
        _resolve_estimator(row, findings, reported)
    return with_citation_keys(document, to_frame(MEMBERSHIP_ESTIMATES, rows)), findings


def _resolve_estimator(row: dict, findings: list[Finding], reported: set[tuple[str, int]]) -> None:
    """Canonical id and kind for the worded estimator; an unknown one is loud, not fatal."""
    if not row["estimator"]:
        row["estimator_id"] = row["estimator_kind"] = None
        return
    resolved = resolve(row["estimator"])
    row["estimator_id"], row["estimator_kind"] = resolved.id, resolved.kind
    for words in resolved.unknown:
        if (words, row["source_line"]) in reported:
            continue  # one finding per estimator and line, however many estimates it makes
        reported.add((words, row["source_line"]))
        findings.append(
            Finding(
                kind="unknown_estimator",
                table=TABLE,
                detail=f"Estimator {words!r} (line {row['source_line']}) has no entry in the "
                "reviewed estimator table (transforms/estimators.py): published with the "
                f"derived id {resolved.id!r} and kind {resolved.kind!r}. Add it there with "
                "its kind and the ways the article writes it.",
                source_line=row["source_line"],
            )
        )


def _infobox_rows(number: int, text: str, match: re.Match[str]) -> list[dict]:
    quantities = [q for q in find_quantities(match["value"])]
    if not quantities:
        return []
    quantity = quantities[0]
    year = int(match["year"]) if match["year"] else None
    source = match["source"]
    return [
        {
            "position": match.start("value") + quantity.start,
            "low": quantity.low,
            "high": quantity.high,
            "qualifier": quantity.qualifier,
            "measure": COUNT_NOUNS.get(match["label"].lower(), "members"),
            "year_start": year,
            "year_end": year,
            "period": match["year"],
            "estimator": source,
            "scope": None,
            "is_self_reported": bool(source and SELF_RE.match(source)),
            "derived": False,
            "citations": [int(n) for n in REFERENCE_MARKER_RE.findall(text)],
            "citation_rule": "row" if REFERENCE_MARKER_RE.search(text) else "none",
            "source_line": number,
            "quote": text,
        }
    ]


def _sentence_rows(
    sentence: Sentence, citations: list[int], rule: str, findings: list[Finding]
) -> list[dict]:
    rows = []
    for reading in _sentence_readings(sentence.text):
        if isinstance(reading, Miss):
            findings.append(_candidate_finding(sentence, reading))
            continue
        offset, low, high, qualifier, measure, year_start, year_end, period, estimator = reading[:9]
        scope, self_reported, derived = reading[9:]
        rows.append(
            {
                "position": sentence.start + offset,
                "low": low,
                "high": high,
                "qualifier": qualifier,
                "measure": measure,
                "year_start": year_start,
                "year_end": year_end,
                "period": period,
                "estimator": estimator,
                "scope": scope,
                "is_self_reported": self_reported,
                "derived": derived,
                "citations": citations,
                "citation_rule": rule,
                "source_line": sentence.line,
                "quote": sentence.text,
            }
        )
    return rows


@functools.lru_cache(maxsize=SENTENCE_CACHE_SIZE)
def _sentence_readings(text: str) -> tuple[Miss | tuple, ...]:
    """What a sentence's words say of sizes, wherever the sentence stands: per figure read, in
    order, a Miss or its values (offset in ``text``, low, high, qualifier, measure, year start
    and end, period, estimator, scope, self-reported, derived). Once per worker for the same
    words: a history's revisions share all but a sentence or two."""
    plain = strip_citations(text)
    if not _may_count(plain):
        return ()
    readings = list(_readings(plain))
    found: list[Miss | tuple] = []
    offsets = _plain_offsets(text) if readings else []
    for reading in readings:
        if isinstance(reading, Miss):
            found.append(reading)
            continue
        estimate = reading
        estimator = _estimator(plain, estimate.quantity)
        self_reported = bool(estimator and SELF_RE.match(estimator))
        period, year_start, year_end = _period(plain, estimate.quantity, estimate.carried_gap)
        found.append(
            (
                offsets[estimate.quantity.start],
                estimate.quantity.low,
                estimate.quantity.high,
                estimate.quantity.qualifier or _qualifier_after_noun(plain, estimate),
                estimate.measure,
                year_start,
                year_end,
                period,
                estimator,
                estimate.scope or _scope(plain, estimate.quantity),
                self_reported,
                estimate.derived,
            )
        )
    return tuple(found)


def _qualifier_after_noun(plain: str, estimate: Estimate) -> str | None:
    """A bound written after the counted noun: "10k supporters at most"."""
    after = plain[estimate.quantity.end :]
    noun = NOUN_AFTER_RE.match(after)
    if noun is None:
        return None
    bound = QUALIFIER_AFTER_RE.match(after, noun.end("noun"))
    return " ".join(bound["qualifier"].lower().split()) if bound else None


def _candidate_finding(sentence: Sentence, miss: Miss) -> Finding:
    return Finding(
        kind="candidate_estimate",
        severity=miss.severity,
        table=TABLE,
        detail=f"{miss.quantity.text!r} stands with {miss.context!r} on line {sentence.line} "
        f"but was not read as a size estimate: {miss.reason}. Sentence: {sentence.text!r}",
        source_line=sentence.line,
    )


def _plain_offsets(text: str) -> list[int]:
    """For each character of the text without citation markers, its offset in ``text``."""
    offsets: list[int] = []
    position = 0
    for match in ANY_MARKER_RE.finditer(text):
        offsets.extend(range(position, match.start()))
        position = match.end()
    offsets.extend(range(position, len(text) + 1))
    return offsets


def _may_count(text: str) -> bool:
    """False when no word for anything counted appears: then no estimate can be read."""
    return MEASURE_HINT_RE.search(text.lower()) is not None


def _readings(plain: str):
    """Each figure of the sentence in a size context: an Estimate or a Miss saying why not."""
    previous: Estimate | None = None
    for quantity in find_quantities(plain, bare_words=True):
        if _is_not_a_count(plain, quantity):
            continue  # a date, a sum of money, a distance: no people counted
        if quantity.lone_word and not _introduces_lone_word(plain, quantity):
            continue  # "two former members": particular people, not a size
        measured = _measure(plain, quantity)
        carried_gap = None
        if measured is None and previous is not None:
            carried_gap = _carry_gap(plain, previous, quantity)
            if carried_gap is not None:
                measured = previous.measure, previous.scope
        if isinstance(measured, Miss) or measured is None:
            miss = measured or _unread(plain, quantity)
            if miss is not None:
                yield miss
            continue
        measure, scope = measured
        if quantity.lone_word and measure == "persons":
            continue  # "about ten people" at an event: no size of the group
        not_size = _not_size_word(plain, quantity)
        if not_size is not None:
            if measure != "persons" or SIZE_CONTEXT_RE.search(plain):
                noun = NOUN_AFTER_RE.match(plain[quantity.end :])
                yield Miss(
                    quantity,
                    noun["noun"] if noun else _context_word(plain, quantity) or measure,
                    f"not the group's size: the count stands with {not_size!r}",
                    "info",
                )
            continue
        estimate = Estimate(quantity, measure, scope, carried_gap=carried_gap)
        yield estimate
        previous = estimate
        derived = _share(plain, quantity, measure)
        if derived is not None:
            yield derived


def _introduces_lone_word(plain: str, quantity: Quantity) -> bool:
    if quantity.qualifier and quantity.qualifier != "between":  # "between three people"
        return True
    before = plain[max(0, quantity.start - 40) : quantity.start]
    return bool(LONE_WORD_INTRO_RE.search(before) or FRAME_BEFORE_RE.search(before))


def _carry_gap(plain: str, previous: Estimate, quantity: Quantity) -> str | None:
    """The words joining a figure to the estimate before it when it continues that estimate
    ("…, later peaking to 10,000"): same clause, near, no other counted thing in between."""
    gap = plain[previous.quantity.end : quantity.start]
    if len(gap) > CARRY_GAP_MAX or ";" in gap or ". " in gap:
        return None
    if OWN_NOUN_RE.match(plain[quantity.end : quantity.end + CONTEXT_WINDOW]):
        return None  # "6,000 soldiers and over 2,000 pieces of equipment"
    if _counts(gap):
        return None  # another figure stands between: this one does not continue the first
    noun = NOUN_AFTER_RE.match(gap)
    between = gap[noun.end() :] if noun else gap
    changes = CHANGE_VERB_RE.search(between) is not None
    if not changes and (
        SIZE_CONTEXT_RE.search(between) or OWN_NOUN_RE.match(" " + between.strip())
    ):
        return None  # another counted thing stands between them
    if changes or CARRY_CONJUNCTION_RE.search(between):
        return gap
    return None


def _unread(plain: str, quantity: Quantity) -> Miss | None:
    """A figure with no counted noun and no frame: a finding when a size word stands near it
    in its clause and it counts nothing else of its own."""
    after = plain[quantity.end : quantity.end + CONTEXT_WINDOW]
    if OWN_NOUN_RE.match(after) or UNIT_AFTER_RE.match(after):
        return None
    context = _context_word(plain, quantity)
    if context is None:
        return None
    not_size = _not_size_word(plain, quantity)
    if not_size is not None:
        return Miss(
            quantity, context, f"not the group's size: the count stands with {not_size!r}", "info"
        )
    return Miss(quantity, context, "no counted noun or size frame next to the figure", "warning")


def _context_word(plain: str, quantity: Quantity) -> str | None:
    """The size word nearest the figure within its clause and CONTEXT_WINDOW characters, with
    no other figure between them (in "killed 73, including 27 members" the word belongs to 27)."""
    start = max(0, quantity.start - CONTEXT_WINDOW)
    before = plain[start : quantity.start]
    cut = max(before.rfind(";"), before.rfind(". "), before.rfind(":"))
    counts_before = _counts(before)
    if counts_before:
        cut = max(cut, counts_before[-1])
    before = before[cut + 1 :]
    after = plain[quantity.end : quantity.end + CONTEXT_WINDOW]
    ends = [i for i in (after.find(";"), after.find(". "), after.find(":")) if i != -1]
    ends.extend(_counts(after)[:1])
    after = after[: min(ends)] if ends else after
    found_after = SIZE_CONTEXT_RE.search(after)
    found_before = list(SIZE_CONTEXT_RE.finditer(before))
    distance_after = found_after.start() if found_after else None
    distance_before = len(before) - found_before[-1].end() if found_before else None
    if distance_after is None and distance_before is None:
        return None
    if distance_before is None or (distance_after is not None and distance_after < distance_before):
        return found_after.group(0)
    return found_before[-1].group(0)


def _counts(text: str) -> list[int]:
    """Offsets of the figures in ``text`` that are not years."""
    return [
        m.start()
        for m in DIGITS_RE.finditer(text)
        if not (len(m.group(0)) == 4 and 1800 <= int(m.group(0)) <= 2100)
    ]


def _is_not_a_count(plain: str, quantity: Quantity) -> bool:
    before = plain[max(0, quantity.start - 2) : quantity.start]
    after = plain[quantity.end : quantity.end + 12]
    if "$" in before or "£" in before or "€" in before:
        return True
    if UNIT_AFTER_RE.match(after):
        return True
    if _is_part_of_a_name(plain, quantity):
        return True
    if quantity.high <= 31 and (
        MONTH_AFTER_RE.match(after) or MONTH_BEFORE_RE.search(plain, 0, quantity.start)
    ):
        return True  # the day of a date: "5 September 1965", "June 20"
    # A bare year ("in 2003") or a span of years ("1979 to 1981", "2005–07") is a date,
    # unless a counted noun follows ("2000 fighters").
    return (
        1800 <= quantity.low <= 2100
        and "," not in quantity.text
        and NOUN_AFTER_RE.match(plain[quantity.end :]) is None
    )


def _is_part_of_a_name(plain: str, quantity: Quantity) -> bool:
    """'Ashraf-3', 'Route 66', 'Resolution 1373', 'the 23rd Brigade': the number belongs to a
    name (a capitalised word right before it, not opening the sentence) or is an ordinal."""
    if ORDINAL_AFTER_RE.match(plain, quantity.end):
        return True
    if quantity.qualifier or "," in quantity.text or not quantity.text[:1].isdigit():
        return False
    name = NAME_BEFORE_NUMBER_RE.search(plain, 0, quantity.start)
    if name is None:
        return False
    before_name = plain[: name.start()].rstrip()
    return bool(before_name) and before_name[-1] not in ".!?:"


def _measure(plain: str, quantity: Quantity) -> tuple[str, str | None] | Miss | None:
    """(measure, scope) for what the number counts; a Miss when it counts another body's
    members; None when nothing next to it says what it counts."""
    after = plain[quantity.end :]
    before = plain[: quantity.start]
    noun_after = NOUN_AFTER_RE.match(after)
    if noun_after is not None and noun_after["of_other"]:
        # "27 members of the Parliament": another body's members
        body = after[noun_after.end("noun") :].split(",")[0].split(";")[0]
        body = re.sub(r"^\s*of\s+", "", body).rstrip(" .")
        return Miss(
            quantity,
            noun_after["noun"],
            f"counts the members of another body ({body[:60]!r}), not the group",
            "info",
        )
    phrase_before = NOUN_BEFORE_RE.search(before)
    if phrase_before is not None:
        phrase = phrase_before["phrase"].lower()
        if "political" in phrase:
            return "members", "political wing"
        if phrase == "strength" and noun_after is not None:
            # "a strength of 10,000 members": the counted noun says what; strength only frames
            return _noun_measure(plain, quantity, noun_after), None
        if STRONG_FORCE_RE.search(phrase) or phrase == "strength":
            scope = "armed wing" if "wing" in phrase else None
            return "fighters", scope
        if "total" in phrase:
            total_noun = MEASURE_AFTER_TOTAL_RE.match(after)
            return (COUNT_NOUNS[total_noun["noun"]] if total_noun else "members"), "total"
        return "members", None
    if (strong := STRONG_RE.match(after)) is not None:  # "a 5,000–7,000-strong armed group"
        return ("fighters" if STRONG_FORCE_RE.search(strong["what"]) else "members"), None
    if (adjective := MEMBER_ADJECTIVE_RE.match(after)) is not None:  # "a 7,000-member force"
        if (body := OTHER_BODY_RE.search(adjective["what"])) is not None:
            return Miss(
                quantity,
                "member",
                f"counts the members of another body ({body.group(0)!r}), not the group",
                "info",
            )
        return ("fighters" if STRONG_FORCE_RE.search(adjective["what"]) else "members"), None
    if noun_after is None:
        frame = FRAME_BEFORE_RE.search(before, max(0, quantity.start - 80))
        if frame is not None:
            noun = frame["noun"].lower()
            # "their prewar strength to be about 2,000", "membership was estimated at 3,000"
            return FRAME_MEASURES.get(noun) or COUNT_NOUNS[noun], None
        verb_frame = _size_verb_frame(plain, quantity)
        return (verb_frame, None) if verb_frame else None
    return _noun_measure(plain, quantity, noun_after), None


def _noun_measure(plain: str, quantity: Quantity, noun_after: re.Match[str]) -> str:
    """What the counted noun right after the figure (NOUN_AFTER_RE's match on the text after
    it) measures, in its sentence."""
    measure = COUNT_NOUNS[noun_after["noun"].lower()]
    before = plain[: quantity.start]
    noun_end = quantity.end + noun_after.end("noun")
    if measure in ATTENDING_MEASURES and (
        EVENT_OF_BEFORE_RE.search(before) or AT_EVENT_AFTER_RE.match(plain[noun_end:])
    ):
        return "attendees"  # "a caravan of about 500 supporters", "2,000 supporters at its rally"
    if measure == "persons" and GATHERING_RE.search(plain):
        return "attendees"
    if measure == "persons" and "membership" in before[-60:].lower():
        return "members"  # "global membership … between 4,000 and 9,000 persons"
    return measure


def _size_verb_frame(plain: str, quantity: Quantity) -> str | None:
    """The measure of the size word a verb of size ties to the figure ("the group's membership
    in Albania stood at about 3,000", "put the number of people present at about 200"): the
    nearest size word before the verb in the clause, with no other count between."""
    start = max(0, quantity.start - SIZE_VERB_WINDOW)
    before = plain[start : quantity.start]
    if SIZE_VERB_BEFORE_RE.search(before) is None:
        return None
    cut = max(before.rfind(";"), before.rfind(". "), before.rfind(":"))
    counts_before = _counts(before)
    if counts_before:
        cut = max(cut, counts_before[-1])
    clause = before[cut + 1 :]
    number_of = list(NUMBER_OF_RE.finditer(clause))
    words = [m for m in FRAME_NOUN_RE.finditer(clause)]
    if number_of and (not words or number_of[-1].start() >= words[-1].start() - 10):
        noun = number_of[-1]["noun"].lower()
        return COUNT_NOUNS.get(noun)
    if not words:
        return None
    noun = words[-1].group(0).lower()
    return FRAME_MEASURES.get(noun) or COUNT_NOUNS[noun]


def _not_size_word(plain: str, quantity: Quantity) -> str | None:
    """The word saying the count's own clause is about deaths, arrests, attacks or the like."""
    start = max(plain.rfind(";", 0, quantity.start), plain.rfind(". ", 0, quantity.start)) + 1
    end_candidates = [
        i for i in (plain.find(";", quantity.end), plain.find(". ", quantity.end)) if i != -1
    ]
    end = min(end_candidates) if end_candidates else len(plain)
    clause = plain[start:end]
    # Within the clause, look only at the words near the count (a long sentence can name
    # an attack in another clause).
    local_start = max(start, quantity.start - 40)
    near = [
        m
        for m in NOT_SIZE_RE.finditer(plain, local_start, min(end, quantity.end + 60))
        if not _other_count_between(plain, quantity, m)
    ]
    if not near or not NOT_SIZE_RE.search(clause):
        return None
    # The word nearest the figure names what the count is of ("killed …, and some 3,000
    # were arrested" is a count of arrests).
    found = min(
        near,
        key=lambda m: (
            quantity.start - m.end() if m.end() <= quantity.start else m.start() - quantity.end
        ),
    )
    word_start = found.start()
    while word_start > 0 and plain[word_start - 1].isalpha():
        word_start -= 1
    word_end = found.end()
    while word_end < len(plain) and plain[word_end].isalpha():
        word_end += 1
    return plain[word_start:word_end]


def _other_count_between(plain: str, quantity: Quantity, word: re.Match[str]) -> bool:
    """True when another figure stands between the count and the word: the word is that
    figure's ("3,400 people in Camp Ashraf in 2011, 36 were taken hostage")."""
    between = (
        plain[quantity.end : word.start()]
        if word.start() >= quantity.end
        else plain[word.end() : quantity.start]
    )
    # a share or a distance ("2,665 persons, 90 per cent of whom …") counts no one else
    return any(
        not UNIT_AFTER_RE.match(between[DIGITS_RE.match(between, offset).end() :])
        for offset in _counts(between)
    )


def _share(plain: str, quantity: Quantity, measure: str) -> Estimate | None:
    """'10,000 members, one-third to one-half of whom were fighters' -> a derived row."""
    after = plain[quantity.end :]
    noun = NOUN_AFTER_RE.match(after)
    rest = after[noun.end() :] if noun else after
    share = SHARE_RE.match(rest)
    if share is None or share["noun"].lower() not in COUNT_NOUNS:
        return None
    low_fraction = FRACTION_WORDS[share["low"]]
    high_fraction = FRACTION_WORDS[share["high"]] if share["high"] else low_fraction
    derived = Quantity(
        low=math.floor(quantity.low / low_fraction),
        high=math.ceil(quantity.high / high_fraction),
        qualifier=None,
        start=quantity.start,
        end=quantity.end,
        text=quantity.text,
    )
    low, high = sorted((derived.low, derived.high))
    derived = Quantity(low, high, None, quantity.start + 1, quantity.end, quantity.text)
    return Estimate(derived, COUNT_NOUNS[share["noun"].lower()], None, derived=True)


def _estimator(plain: str, quantity: Quantity) -> str | None:
    """Who made the estimate: the attribution nearest before the count, else the first after."""
    found: list[tuple[int, str]] = []
    for pattern in ESTIMATOR_PATTERNS:
        for match in pattern.finditer(plain):
            who = _clean_name(match["who"])
            if not who:
                continue
            also = match.groupdict().get("also")
            if also and _clean_name(also):
                who = f"{who}; {_clean_name(also)}"
            found.append((match.start(), who))
    before = [f for f in found if f[0] < quantity.start]
    if before:
        return max(before)[1]
    return min(found)[1] if found else None


def _clean_name(name: str) -> str | None:
    words = name.strip().split()
    while words and words[0] in ESTIMATOR_STOPWORDS:
        words = words[1:]
    while words and words[-1].lower() in {"of", "on", "for", "and", "the", "in"}:
        words = words[:-1]
    cleaned = POSSESSIVE_END_RE.sub("", " ".join(words)).strip(" ,.'’")
    if not cleaned or YEAR_ONLY_RE.fullmatch(cleaned):
        return None
    return cleaned


def _period(
    plain: str, quantity: Quantity, carried_gap: str | None = None
) -> tuple[str | None, int | None, int | None]:
    """The period phrase nearest the count, and the years it names. A figure carried into a
    second clause by "later" or the like, with no period of its own, has that word for its
    period: the first figure's period is not its own."""
    if carried_gap is not None:
        relative = RELATIVE_TIME_RE.search(carried_gap)
        own = _own_period(plain, quantity)
        if relative is not None and own is None:
            return relative.group(0), None, None
    candidates = []
    for pattern in PERIOD_PATTERNS:
        for match in pattern.finditer(plain):
            if match.start() < quantity.end and quantity.start < match.end():
                continue
            distance = (
                quantity.start - match.end()
                if match.end() <= quantity.start
                else match.start() - quantity.end
            )
            candidates.append((distance, match.start(), match.end()))
    if not candidates:
        return None, None, None
    _, start, end = min(candidates)
    # Overlapping matches of different patterns: keep the widest around the nearest.
    spans = [(s, e) for _, s, e in candidates if s < end and start < e]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    # "Reports … in 2003 and 2004, as well as BMI Research's 2008 report": earlier periods
    # with no other count between them and this one belong to the same estimate.
    counts_before = [
        q.end
        for q in find_quantities(plain[:start])
        if q.end <= start and not _is_not_a_count(plain, q)
    ]
    for _, s, e in sorted(candidates, key=lambda c: c[1], reverse=True):
        if e <= start and start - e <= 60 and not any(s < c <= start for c in counts_before):
            start = s
    phrase = plain[start:end]
    years = [int(y) for y in YEAR_TOKEN_RE.findall(phrase)]
    if (decade := DECADE_RE.search(phrase)) is not None:
        first, last = DECADE_PARTS[decade["part"] and decade["part"].lower()]
        years = [int(decade["decade"]) + first, int(decade["decade"]) + last]
    period = LEADING_PREPOSITION_RE.sub("", phrase).strip()
    period = LEADING_DETERMINER_RE.sub("", period)
    period = YEAR_OF_PUBLICATION_RE.sub(r"\1", period)
    if not years:
        return period, None, None
    if UNTIL_RE.match(period):
        return period, None, max(years)
    if SINCE_RE.match(period):
        return period, min(years), None
    return period, min(years), max(years)


def _own_period(plain: str, quantity: Quantity) -> str | None:
    """A period phrase right after the figure, in its clause ("10,000 in 1981")."""
    after = plain[quantity.end :]
    end = CLAUSE_END_RE.search(after)
    clause = after[: end.start()] if end else after
    for pattern in PERIOD_PATTERNS:
        if (match := pattern.search(clause)) is not None:
            return match.group(0)
    return None


def _scope(plain: str, quantity: Quantity) -> str | None:
    after = plain[quantity.end :]
    end = CLAUSE_END_RE.search(after)
    clause_after = after[: end.start()] if end else after
    before_start = max(plain.rfind(",", 0, quantity.start), plain.rfind(";", 0, quantity.start))
    clause_before = plain[before_start + 1 : quantity.start]
    if GLOBAL_RE.search(clause_before) or GLOBAL_RE.search(clause_after):
        return "global"
    for clause in (clause_after, plain):
        for match in SCOPE_RE.finditer(clause):
            place = match["place"]
            if place in NOT_PLACES or re.fullmatch(MONTHS, place):
                continue
            if (
                place.startswith("Camp ")
                or place.endswith(" camp")
                or authority_code(place)
                or _is_proper_place(place)
            ):
                return place
    return None


def _is_proper_place(word: str) -> bool:
    """A single capitalised word after 'in'/'to' that is not an organisation's acronym."""
    return word[:1].isupper() and not word.isupper() and not word.endswith("'s")
