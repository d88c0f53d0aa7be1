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
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from transforms.authorities import authority_code
from transforms.citations import ANY_MARKER_RE, REFERENCE_MARKER_RE, strip_citations
from transforms.document import Document, Sentence
from transforms.numbers import DASHES, Quantity, find_quantities
from transforms.schema import MEMBERSHIP_ESTIMATES, to_frame

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
    rf"""^["”']?\s*(?:{NOUN_ADJECTIVES}\s+)*"""
    rf"""(?P<noun>{"|".join(sorted(COUNT_NOUNS, key=len, reverse=True))})\b"""
    r"(?P<of_other>\s+of\s+(?:the\s+)?(?!MEK|PMOI|the organi[sz]ation|the group|its\b)[A-Z])?"
)
# Every estimate names what it counts with one of these words; sentences without any are
# skipped before the (costly) number search.
MEASURE_HINT_WORDS = frozenset(COUNT_NOUNS) | {"strength", "strong", "force", "wing", "total"}
# Any hint word standing as a whole word (lower case text): one search instead of a word list.
MEASURE_HINT_RE = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(sorted(map(re.escape, MEASURE_HINT_WORDS), key=len, reverse=True))
    + r")(?![a-z])"
)
STRONG_FORCE_RE = re.compile(r"armed|guerrill|military|fighting|army|militia|brigade", re.I)
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
    r"hostage|bomb|seats?\b",
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
    # "Reports by The Military Balance in 2003 …, as well as BMI Research's 2008 report"
    re.compile(
        rf"\b(?:[Rr]eports?|[Aa]rticle|[Ss]tudy|[Ss]urvey)\s+(?:by|in|from)\s+(?P<who>{NAME})"
        rf"(?:[^.]*?as well as\s+(?P<also>{NAME})(?:'s)?)?"
    ),
    # "Pierre Razoux estimates", "the MEK claimed", "a New York Times reporter … estimated"
    re.compile(
        rf"(?P<who>{NAME})(?:'s)?(?:\s+[a-z][\w-]*){{0,4}}?\s+"
        r"(?:estimates?|estimated|stated|states|reported|reports|claimed|claims|said|says|"
        r"counted|put)\b"
    ),
)
ESTIMATOR_STOPWORDS = {"In", "On", "By", "A", "An", "It", "This", "According", "Reports"}
# Periods, as worded: "in early 1980", "before the 2003 war", "from 1981–1983 to 1987–1988".
MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)"
)
YEAR = r"(?:1[89]|20)\d\d"
PERIOD_PATTERNS = (
    re.compile(rf"\bfrom\s+{YEAR}(?:[{DASHES}]{YEAR})?\s+to\s+{YEAR}(?:[{DASHES}]{YEAR})?"),
    re.compile(rf"\b(?:[Bb]efore|[Aa]fter|[Uu]ntil|[Ss]ince)\s+(?:the\s+)?{YEAR}(?:\s+[a-z]+)?\b"),
    re.compile(rf"\b(?:[Tt]owards?|[Nn]ear|[Aa]t)\s+the\s+end\s+of\s+(?:the\s+)?{YEAR}"),
    re.compile(rf"\b[Ii]n\s+{YEAR}\s+and\s+{YEAR}"),
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
)
YEAR_TOKEN_RE = re.compile(rf"(?<!\d){YEAR}(?!\d)")
LEADING_PREPOSITION_RE = re.compile(r"^(?:[Ii]n|[Oo]n|[Dd]uring)\s+")
LEADING_DETERMINER_RE = re.compile(r"^(?:[Aa]|[Tt]he|[Ii]ts|[\w-]+['’]s)\s+")
# "2003 report" is the period 2003.
YEAR_OF_PUBLICATION_RE = re.compile(rf"^({YEAR})\s+(?:article|report|estimate|survey|study)$")
YEAR_ONLY_RE = re.compile(YEAR)
UNTIL_RE = re.compile(r"^[Bb]efore\b|^[Uu]ntil\b|^[Bb]y\b")
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


def extract_membership_estimates(document: Document) -> pd.DataFrame:
    rows: list[dict] = []
    for number, text in document.numbered_lines(1, document.body_end):
        if (match := INFOBOX_SIZE_RE.match(text.strip())) is not None:
            rows.extend(_infobox_rows(number, text.strip(), match))
    candidates = [p for p in document.paragraphs if _may_count(p.text)]
    for sentence, citations, rule in document.cited_sentences(candidates):
        if INFOBOX_SIZE_RE.match(sentence.text):
            continue
        rows.extend(_sentence_rows(sentence, citations, rule))
    rows.sort(key=lambda r: (r["source_line"], r["position"]))
    return to_frame(MEMBERSHIP_ESTIMATES, rows)


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


def _sentence_rows(sentence: Sentence, citations: list[int], rule: str) -> list[dict]:
    plain = strip_citations(sentence.text)
    estimates = list(_estimates(plain))
    if not estimates:
        return []
    offsets = _plain_offsets(sentence.text)
    rows = []
    for estimate in estimates:
        estimator = _estimator(plain, estimate.quantity)
        self_reported = bool(estimator and SELF_RE.match(estimator))
        period, year_start, year_end = _period(plain, estimate.quantity)
        rows.append(
            {
                "position": sentence.start + offsets[estimate.quantity.start],
                "low": estimate.quantity.low,
                "high": estimate.quantity.high,
                "qualifier": estimate.quantity.qualifier,
                "measure": estimate.measure,
                "year_start": year_start,
                "year_end": year_end,
                "period": period,
                "estimator": estimator,
                "scope": estimate.scope or _scope(plain, estimate.quantity),
                "is_self_reported": self_reported,
                "derived": estimate.derived,
                "citations": citations,
                "citation_rule": rule,
                "source_line": sentence.line,
                "quote": sentence.text,
            }
        )
    return rows


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


def _estimates(plain: str):
    if not _may_count(plain):
        return
    for quantity in find_quantities(plain):
        if _is_not_a_count(plain, quantity):
            continue
        measured = _measure(plain, quantity)
        if measured is None:
            continue
        measure, scope = measured
        if _is_not_size(plain, quantity):
            continue
        yield Estimate(quantity, measure, scope)
        derived = _share(plain, quantity, measure)
        if derived is not None:
            yield derived


def _is_not_a_count(plain: str, quantity: Quantity) -> bool:
    before = plain[max(0, quantity.start - 2) : quantity.start]
    after = plain[quantity.end : quantity.end + 12]
    if "$" in before or "£" in before or "€" in before:
        return True
    if UNIT_AFTER_RE.match(after):
        return True
    # A bare year ("in 2003") is a date, not a count.
    return (
        quantity.low == quantity.high and 1800 <= quantity.low <= 2100 and "," not in quantity.text
    )


def _measure(plain: str, quantity: Quantity) -> tuple[str, str | None] | None:
    """(measure, scope) for what the number counts, or None when it counts nothing of ours."""
    after = plain[quantity.end :]
    before = plain[: quantity.start]
    noun_after = NOUN_AFTER_RE.match(after)
    if noun_after is not None and noun_after["of_other"]:
        return None  # "27 members of the Parliament": another body's members
    phrase_before = NOUN_BEFORE_RE.search(before)
    if phrase_before is not None:
        phrase = phrase_before["phrase"].lower()
        if "political" in phrase:
            return "members", "political wing"
        if STRONG_FORCE_RE.search(phrase) or phrase == "strength":
            scope = "armed wing" if "wing" in phrase else None
            return "fighters", scope
        if "total" in phrase:
            total_noun = MEASURE_AFTER_TOTAL_RE.match(after)
            return (COUNT_NOUNS[total_noun["noun"]] if total_noun else "members"), "total"
        return "members", None
    if (strong := STRONG_RE.match(after)) is not None:  # "a 5,000–7,000-strong armed group"
        return ("fighters" if STRONG_FORCE_RE.search(strong["what"]) else "members"), None
    if noun_after is None:
        return None
    measure = COUNT_NOUNS[noun_after["noun"]]
    if measure == "persons" and GATHERING_RE.search(plain):
        measure = "attendees"
    elif measure == "persons" and "membership" in before[-60:].lower():
        measure = "members"  # "global membership … between 4,000 and 9,000 persons"
    return measure, None


def _is_not_size(plain: str, quantity: Quantity) -> bool:
    """True when the count's own clause is about deaths, arrests, attacks or the like."""
    start = max(plain.rfind(";", 0, quantity.start), plain.rfind(". ", 0, quantity.start)) + 1
    end_candidates = [
        i for i in (plain.find(";", quantity.end), plain.find(". ", quantity.end)) if i != -1
    ]
    end = min(end_candidates) if end_candidates else len(plain)
    clause = plain[start:end]
    # Within the clause, look only at the words near the count (a long sentence can name
    # an attack in another clause).
    local = plain[max(start, quantity.start - 40) : min(end, quantity.end + 60)]
    return bool(NOT_SIZE_RE.search(local)) and bool(NOT_SIZE_RE.search(clause))


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


def _period(plain: str, quantity: Quantity) -> tuple[str | None, int | None, int | None]:
    """The period phrase nearest the count, and the years it names."""
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
