"""Formatting that must not change any table (tests/variants.py builds the variants)."""

from __future__ import annotations

import pandas as pd
import pytest
import variants

from transforms import extract_all

# Columns that hold line numbers or verbatim text: they move with the layout by design.
POSITIONAL = {
    "source_line",
    "evidence_lines",
    "enrichment_lines",
    "related_lines",
    "position",
    "quote",
    "detail",
    "finding_id",
    "note",
    "section",
    "text",
}


def comparable(frame: pd.DataFrame, drop: set[str]) -> list[tuple]:
    kept = frame[[c for c in frame.columns if c not in drop]]
    return sorted(repr(tuple(r)) for r in kept.itertuples(index=False, name=None))


@pytest.mark.parametrize("variant", variants.SAME_LINES, ids=lambda v: v.__name__)
def test_same_lines_same_tables(tables, article_text, variant):
    altered = extract_all(variant(article_text))
    # Verbatim text keeps the variant's characters; offsets within a line move with markers.
    textual = {
        "quote",
        "text",
        "note",
        "detail",
        "finding_id",
        "listing_detail",
        "period",
        "pages",
        "title",
        "authors",
        "work",
        "publisher",
        "volume",
        "issue",
        "section",
        "position",
    }
    for name, frame in tables.items():
        assert comparable(altered[name], textual) == comparable(frame, textual), name
        if "source_line" in frame.columns:  # official_acts is reviewed data, not read
            assert list(altered[name]["source_line"]) == list(frame["source_line"]), name


@pytest.mark.parametrize("variant", variants.MOVED_LINES, ids=lambda v: v.__name__)
def test_moved_lines_same_tables(tables, article_text, variant):
    altered = extract_all(variant(article_text))
    for name, frame in tables.items():
        if name == "findings":
            continue  # finding texts name line numbers and sections
        assert comparable(altered[name], POSITIONAL) == comparable(frame, POSITIONAL), name
    before = tables["findings"].groupby("kind").size().to_dict()
    after = altered["findings"].groupby("kind").size().to_dict()
    assert after == before


def test_variants_really_alter_the_text(article_text):
    for variant in variants.SAME_LINES + variants.MOVED_LINES:
        assert variant(article_text) != article_text, variant.__name__
