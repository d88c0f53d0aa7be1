"""The one reviewed table of who makes size estimates: canonical id, name, kind and aliases.

The article names one source in several ways ("DoD" in the infobox, "United States Department
of Defense" in the prose; "New York Times" and "The New York Times"). Grouping by the words
would count one source twice, so every estimate also carries the canonical ``estimator_id`` and
``estimator_kind`` resolved here. An estimator a new revision introduces is not guessed at: it
gets an id derived from its words, kind ``other`` and an ``unknown_estimator`` finding telling a
maintainer to add it below. Each entry is a reviewed fact about a source, not about the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.schema import ESTIMATOR_KINDS

# Several sources credited together ("Reports by The Military Balance …, as well as BMI
# Research's 2008 report") are worded "A; B" by the extractor and resolve part by part.
JOINT_SEPARATOR = "; "
JOINT_ID_SEPARATOR = "+"
NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")
LEADING_THE_RE = re.compile(r"^the\s+")


@dataclass(frozen=True)
class Estimator:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ESTIMATOR_KINDS:
            raise ValueError(f"estimator {self.id}: kind {self.kind!r} not in {ESTIMATOR_KINDS}")


ESTIMATORS: tuple[Estimator, ...] = (
    Estimator(
        "us-department-of-defense",
        "United States Department of Defense",
        "government",
        ("DoD", "US DoD", "U.S. Department of Defense", "Department of Defense", "Pentagon"),
    ),
    Estimator(
        "us-department-of-state",
        "United States Department of State",
        "government",
        ("State Department", "U.S. State Department", "US State Department", "Department of State"),
    ),
    Estimator("united-nations", "United Nations", "intergovernmental", ("UN", "U.N.")),
    # Albania's national statistics institute (Instituti i Statistikave).
    Estimator("instat", "INSTAT (Institute of Statistics of Albania)", "government", ("INSTAT",)),
    Estimator("the-new-york-times", "The New York Times", "press", ("New York Times", "NYT")),
    Estimator("foreign-policy", "Foreign Policy", "press"),
    Estimator("asharq-al-awsat", "Asharq Al-Awsat", "press"),
    Estimator("george-e-delury", "George E. Delury", "scholar", ("Delury",)),
    Estimator("pierre-razoux", "Pierre Razoux", "scholar", ("Razoux",)),
    Estimator("ervand-abrahamian", "Ervand Abrahamian", "scholar", ("Abrahamian",)),
    # Co-authors of one book (A Guide to Intra-state Wars): one source.
    Estimator(
        "dixon-sarkees",
        "Jeffrey S. Dixon and Meredith Reid Sarkees",
        "scholar",
        ("Dixon and Sarkees", "Jeffrey Dixon and Meredith Sarkees"),
    ),
    Estimator(
        "council-on-foreign-relations",
        "Council on Foreign Relations",
        "think_tank",
        ("CFR",),
    ),
    # The IISS's annual assessment of armed forces.
    Estimator(
        "the-military-balance",
        "The Military Balance (IISS)",
        "think_tank",
        ("Military Balance", "IISS", "International Institute for Strategic Studies"),
    ),
    # A commercial country-risk research firm (part of Fitch Group): neither press nor think tank.
    Estimator("bmi-research", "BMI Research", "other", ("BMI",)),
    Estimator(
        "mek",
        "People's Mojahedin Organization of Iran (MEK)",
        "self",
        ("MEK", "PMOI", "MKO", "Mojahedin", "Mujahedin", "the group", "the organization"),
    ),
    Estimator("ncri", "National Council of Resistance of Iran (NCRI)", "self", ("NCRI",)),
)


@dataclass(frozen=True)
class Resolved:
    id: str
    name: str
    kind: str
    unknown: tuple[str, ...]  # the worded parts that have no entry in ESTIMATORS


def alias_key(words: str) -> str:
    """How aliases are compared: case, dots, a leading 'the', a possessive and spacing aside
    ("The New York Times" = "New York Times", "U.S." = "US")."""
    key = " ".join(words.replace(".", "").replace("&", " and ").lower().split())
    key = re.sub(r"['’]s$", "", key)
    return LEADING_THE_RE.sub("", key)


def derived_id(words: str) -> str:
    """A stable slug for an estimator with no entry: from its words, so the same words in a
    later revision give the same id."""
    return NOT_SLUG_RE.sub("-", alias_key(words)).strip("-") or "unnamed"


def _build_index() -> dict[str, Estimator]:
    index: dict[str, Estimator] = {}
    for estimator in ESTIMATORS:
        for words in (estimator.name, *estimator.aliases):
            key = alias_key(words)
            if key in index and index[key] is not estimator:
                raise ValueError(f"alias {words!r} names both {index[key].id} and {estimator.id}")
            index[key] = estimator
    return index


BY_ALIAS = _build_index()
BY_ID = {estimator.id: estimator for estimator in ESTIMATORS}


def lookup(words: str) -> Estimator | None:
    return BY_ALIAS.get(alias_key(words))


def resolve(worded: str) -> Resolved:
    """The canonical estimator for the words of one ``estimator`` value (possibly joint)."""
    parts = [p.strip() for p in worded.split(JOINT_SEPARATOR.strip()) if p.strip()]
    found = [(part, lookup(part)) for part in parts]
    ids = [e.id if e else derived_id(part) for part, e in found]
    names = [e.name if e else part for part, e in found]
    kinds = {e.kind if e else "other" for _, e in found}
    return Resolved(
        id=JOINT_ID_SEPARATOR.join(ids),
        name=JOINT_SEPARATOR.join(names),
        # Sources of different kinds credited together have no one kind.
        kind=kinds.pop() if len(kinds) == 1 else "other",
        unknown=tuple(part for part, e in found if e is None),
    )


def canonical_name(estimator_id: str, worded: str | None = None) -> str:
    """The canonical name for an id (joint ids too); an unknown part keeps its words."""
    worded_parts = worded.split(JOINT_SEPARATOR.strip()) if worded else []
    names = []
    for index, part in enumerate(estimator_id.split(JOINT_ID_SEPARATOR)):
        if part in BY_ID:
            names.append(BY_ID[part].name)
        elif index < len(worded_parts):
            names.append(worded_parts[index].strip())
        else:
            names.append(part)
    return JOINT_SEPARATOR.join(names)


def estimators_markdown() -> str:
    """docs/data-dictionary.md's list of canonical estimators, generated from ESTIMATORS."""
    lines = [
        "### Canonical estimators\n",
        "`membership_estimates.estimator_id` and `estimator_kind` come from this reviewed table "
        "(`transforms/estimators.py`); `estimator` keeps the article's words. An estimator "
        "missing here is published with an id derived from its words, kind `other` and an "
        "`unknown_estimator` finding; several sources credited together have their ids joined "
        f"with `{JOINT_ID_SEPARATOR}`.\n",
        "| estimator_id | canonical name | kind | also written as |",
        "|---|---|---|---|",
    ]
    for estimator in sorted(ESTIMATORS, key=lambda e: e.id):
        aliases = ", ".join(f"`{a}`" for a in estimator.aliases)
        lines.append(f"| `{estimator.id}` | {estimator.name} | {estimator.kind} | {aliases} |")
    return "\n".join(lines) + "\n"
