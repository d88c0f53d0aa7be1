"""Phrasings nobody wrote a rule for (issue 29): the paraphrase corpus, read as a spec.

``tests/data/paraphrases.json`` holds size and listing sentences written by a session that never
saw the extractors (tests/data/paraphrases.md says how). Each sentence is put alone in a
document and run through the real extractors.

What "read" means (docs/phrasings.md):
- a size entry is read when its rows, in the sentence's order, have the expected ``low`` and
  ``high``, ``year_start`` and ``year_end``, and ``measure`` (the corpus's ``people`` is the
  table's ``persons``: the same word, and the table's established term). Qualifier, the worded
  period, estimator and scope are not part of the bar ("the right figure and period");
- a listing entry is read when the designation rows give exactly the expected
  (authority_code, event, date, precision) events;
- an entry expecting nothing is read when no row comes out (sizes: no row at all; listings: no
  designation row), and no number of ``not_sizes`` is proposed as a size anywhere.

An entry not read must not be silent: a ``candidate_estimate`` finding names each figure the
sentence gives for the size (never a number of ``not_sizes``), or a ``candidate_designation``
finding quotes the listing sentence. The share read is at least 90%.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.membership_estimates import extract_membership_estimates_with_findings
from transforms.numbers import find_quantities

CORPUS_PATH = Path(__file__).parent / "data" / "paraphrases.json"
CORPUS = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
SIZES = [entry for entry in CORPUS if entry["kind"] == "size"]
LISTINGS = [entry for entry in CORPUS if entry["kind"] == "listing"]
SHARE_REQUIRED = 0.90
# The corpus's word and the table's word for the same measure.
MEASURE_SYNONYMS = {"people": "persons"}
# A candidate_estimate finding opens with the figure it did not read: "'about 3,000' stands …".
FINDING_FIGURE_RE = re.compile(r"^(?P<figure>'[^']*'|\"[^\"]*\") stands with ")

# Entries still not read, each with why (only when the share is met: never to reach it).
CAPTURED = (
    "UNSURE in the corpus: it counts 6,000 captured soldiers as no size, but the reviewed golden "
    "table reads the article's 'captured 6,000 MEK soldiers' as 6,000 fighters"
)
NOT_YET_READ: dict[str, str] = {
    "size-captured-soldiers-and-tanks": CAPTURED,
    "listing-iq-post-2003-no-date": (
        "an undated listing gives no dated mention, so no row; the spec case era-not-a-date "
        "in test_no_silent_misses makes it a candidate_designation finding instead"
    ),
}
# Entries whose figure comes out as a size although the corpus lists it in not_sizes.
PROPOSES_A_NOT_SIZE: dict[str, str] = {"size-captured-soldiers-and-tanks": CAPTURED}


def _params(entries: list[dict], expected_failures: dict[str, str]) -> list:
    return [
        pytest.param(
            entry,
            id=entry["id"],
            marks=[pytest.mark.xfail(strict=True, reason=expected_failures[entry["id"]])]
            if entry["id"] in expected_failures
            else [],
        )
        for entry in entries
    ]


def _value(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def size_reading(entry: dict):
    return extract_membership_estimates_with_findings(Document.from_text(entry["sentence"]))


def size_key(row: dict) -> tuple:
    measure = row["measure"]
    return (
        _value(row["low"]),
        _value(row["high"]),
        _value(row["year_start"]),
        _value(row["year_end"]),
        MEASURE_SYNONYMS.get(measure, measure),
    )


def read_size_keys(frame: pd.DataFrame) -> list[tuple]:
    return [size_key(row) for row in frame.to_dict("records")]


def size_is_read(entry: dict) -> bool:
    frame, findings = size_reading(entry)
    return read_size_keys(frame) == [size_key(row) for row in entry["expected"]] and not (
        _proposed_not_sizes(entry, frame, findings)
    )


def _finding_figures(findings) -> list[tuple[int, int, str]]:
    """(low, high, severity) of the figure each candidate_estimate finding names."""
    figures = []
    for finding in findings:
        if finding.kind != "candidate_estimate":
            continue
        match = FINDING_FIGURE_RE.match(finding.detail)
        assert match is not None, f"a candidate finding names no figure: {finding.detail!r}"
        (quantity,) = find_quantities(match["figure"][1:-1], bare_words=True)
        figures.append((quantity.low, quantity.high, finding.severity))
    return figures


def _proposed_not_sizes(entry: dict, frame: pd.DataFrame, findings) -> set[int]:
    """The numbers of ``not_sizes`` that come out as a size: as a row's figure, or named by a
    finding that does not say it is not the group's size (a warning: a possible size)."""
    not_sizes = set(entry["not_sizes"])
    in_rows = {_value(v) for v in frame["low"]} | {_value(v) for v in frame["high"]}
    proposed = {
        figure
        for low, high, severity in _finding_figures(findings)
        if severity != "info"
        for figure in (low, high)
    }
    return not_sizes & (in_rows | proposed)


def listing_reading(entry: dict):
    return extract_designations_with_findings(Document.from_text(entry["sentence"]))


def listing_events(frame: pd.DataFrame) -> list[tuple]:
    events = []
    for row in frame.itertuples():
        for event, date, precision in (
            ("listed", row.listed_on, row.listed_on_precision),
            ("delisted", row.delisted_on, row.delisted_on_precision),
        ):
            if not pd.isna(date):
                events.append((row.authority_code, event, date.date().isoformat(), precision))
    return sorted(events)


def expected_listing_events(entry: dict) -> list[tuple]:
    return sorted(
        (row["authority_code"], row["event"], row["date"], row["precision"])
        for row in entry["expected"]
    )


def listing_is_read(entry: dict) -> bool:
    frame, _ = listing_reading(entry)
    if not entry["expected"]:
        return frame.empty
    return listing_events(frame) == expected_listing_events(entry)


def is_read(entry: dict) -> bool:
    return size_is_read(entry) if entry["kind"] == "size" else listing_is_read(entry)


def test_corpus_is_well_formed():
    ids = [entry["id"] for entry in CORPUS]
    assert len(ids) == len(set(ids)) >= 60
    assert {entry["kind"] for entry in CORPUS} == {"size", "listing"}
    assert set(NOT_YET_READ) | set(PROPOSES_A_NOT_SIZE) <= set(ids)


@pytest.mark.parametrize("entry", _params(SIZES, NOT_YET_READ))
def test_size_is_read(entry):
    frame, findings = size_reading(entry)
    assert read_size_keys(frame) == [size_key(row) for row in entry["expected"]]
    assert not _proposed_not_sizes(entry, frame, findings)


@pytest.mark.parametrize("entry", _params(SIZES, PROPOSES_A_NOT_SIZE))
def test_size_not_read_is_a_finding_naming_the_figure(entry):
    """Whatever is not read is loud: a candidate finding names each expected figure missing from
    the rows, and no number that is part of a name, a date, a toll or a sum is put as a size."""
    frame, findings = size_reading(entry)
    assert not _proposed_not_sizes(entry, frame, findings)
    read = {(key[0], key[1]) for key in read_size_keys(frame)}
    named = {(low, high) for low, high, _ in _finding_figures(findings)}
    for row in entry["expected"]:
        figure = (row["low"], row["high"])
        assert figure in read or figure in named, (
            f"{figure} is neither read nor named by a finding: "
            f"{[f.detail for f in findings]} rows {read_size_keys(frame)}"
        )
    for finding in findings:
        if finding.kind == "candidate_estimate":
            assert entry["sentence"] in finding.detail


@pytest.mark.parametrize("entry", _params(LISTINGS, NOT_YET_READ))
def test_listing_is_read(entry):
    frame, _ = listing_reading(entry)
    assert listing_events(frame) == expected_listing_events(entry)


@pytest.mark.parametrize("entry", _params(LISTINGS, {}))
def test_listing_not_read_is_a_finding(entry):
    """A listing sentence with events not read gets a candidate_designation finding quoting it;
    no listing sentence yields a size."""
    frame, findings = listing_reading(entry)
    if entry["expected"] and listing_events(frame) != expected_listing_events(entry):
        candidates = [f for f in findings if f.kind == "candidate_designation"]
        assert candidates and all(entry["sentence"] in f.detail for f in candidates)
    sizes, size_findings = size_reading(entry)
    assert sizes.empty
    assert not _proposed_not_sizes(entry, sizes, size_findings)


def _share(entries: list[dict]) -> tuple[int, int]:
    counted = [entry for entry in entries if entry["expected"]]
    return sum(is_read(entry) for entry in counted), len(counted)


def test_share_read():
    sizes_read, sizes = _share(SIZES)
    listings_read, listings = _share(LISTINGS)
    empties_read = sum(is_read(entry) for entry in CORPUS if not entry["expected"])
    empties = sum(not entry["expected"] for entry in CORPUS)
    share = (sizes_read + listings_read) / (sizes + listings)
    message = (
        f"read {sizes_read + listings_read}/{sizes + listings} ({share:.0%}): sizes "
        f"{sizes_read}/{sizes}, listings {listings_read}/{listings}; entries expecting nothing "
        f"read {empties_read}/{empties}"
    )
    print(message)
    assert share >= SHARE_REQUIRED, message
    not_read = sorted(entry["id"] for entry in CORPUS if not is_read(entry))
    assert not_read == sorted(NOT_YET_READ), message


def _in_a_paragraph(sentence: str) -> str:
    """The sentence as the article would hold it: after another sentence, with a citation."""
    return f"The group has been described in many ways. {sentence}[12] It has many critics."


@pytest.mark.parametrize(
    "entry", [pytest.param(e, id=e["id"]) for e in CORPUS if e["id"] not in NOT_YET_READ]
)
def test_reading_holds_inside_a_cited_paragraph(entry):
    """What is read alone is read the same inside a paragraph, with a reference marker."""
    document = Document.from_text(_in_a_paragraph(entry["sentence"]))
    if entry["kind"] == "size":
        frame, _ = extract_membership_estimates_with_findings(document)
        assert read_size_keys(frame) == [size_key(row) for row in entry["expected"]]
        if entry["expected"]:
            assert set(frame["citations"].map(tuple)) == {(12,)}
    else:
        frame, _ = extract_designations_with_findings(document)
        assert listing_events(frame) == expected_listing_events(entry)
