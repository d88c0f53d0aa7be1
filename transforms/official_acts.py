"""The reviewed table of official acts: the legal instruments that listed and delisted the group.

The article is a secondary source; these rows are the primary record its designation dates are
checked against (DATA_CONTRACT.md, "The record"). Like the estimator table, each row is a
reviewed fact from outside the article, with the URL it was found at and the words the date was
taken from. An act that could not be sourced is not here (docs/record.md lists them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ACT_TYPES = ("listing", "delisting")


@dataclass(frozen=True)
class OfficialAct:
    act_id: str  # stable slug, e.g. "us-fto-listing-1997"
    authority_code: str  # as designations.authority_code: ISO 3166-1 alpha-2, or EU / UN
    authority: str  # the body that made the act, e.g. "United States Department of State"
    act_type: str  # listing or delisting
    program: str  # the list or regime, e.g. "Foreign Terrorist Organizations (INA section 219)"
    official_date: dt.date  # the date the act took effect, as the instrument gives it
    instrument: str  # the citation, e.g. a Federal Register notice or statutory instrument
    url: str  # where the act (or the best official page about it) can be read
    evidence: str  # the quoted words the date was taken from
    evidence_url: str  # where those words were found (equals url when the primary is stored)
    note: str | None = None  # what a reviewer should know (secondary source, other dates)

    def __post_init__(self) -> None:
        if self.act_type not in ACT_TYPES:
            raise ValueError(f"act {self.act_id}: act_type {self.act_type!r} not in {ACT_TYPES}")
        for name in ("url", "evidence_url"):
            if not getattr(self, name).startswith(("https://", "http://")):
                raise ValueError(f"act {self.act_id}: {name} is not a URL")
        if not self.evidence.strip():
            raise ValueError(f"act {self.act_id}: no evidence quoted")


@dataclass(frozen=True)
class WikidataItem:
    """A Wikidata item the QuickStatements export names: a listing authority (P3461's value),
    keyed by its authority code, or the group itself (the statements' subject)."""

    key: str  # the authority code (US, GB, EU, ...), or "group" for the organisation
    qid: str  # e.g. "Q30"
    label: str  # the item's English label
    source_url: str  # where the Q-id was confirmed
    evidence: str  # the quoted words that tie the Q-id to the label


OFFICIAL_ACTS: tuple[OfficialAct, ...] = ()

WIKIDATA_ITEMS: tuple[WikidataItem, ...] = ()
