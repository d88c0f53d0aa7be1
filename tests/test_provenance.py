"""Every fact row's quote stands verbatim (modulo whitespace) in the source at source_line."""

from __future__ import annotations

import re

import pytest

from transforms.schema import TABLES

FACT_TABLES = [name for name, table in TABLES.items() if table.is_fact_table]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.mark.parametrize("table", FACT_TABLES)
def test_quote_is_verbatim_at_source_line(tables, article_text, table):
    raw_lines = article_text.split("\n")
    frame = tables[table]
    assert len(frame) > 0
    for row in frame.itertuples():
        start = row.source_line - 1
        quote_lines = row.quote.count("\n") + 1
        window = _squash(" ".join(raw_lines[start : start + quote_lines]))
        assert _squash(row.quote) in window, (table, row.source_line, row.quote[:80])
        assert _squash(row.quote.split("\n")[0]) in _squash(raw_lines[start])


@pytest.mark.parametrize("table", FACT_TABLES)
def test_citations_appear_in_quote_or_paragraph(tables, article_text, table):
    raw_lines = article_text.split("\n")
    for row in tables[table].itertuples():
        for number in row.citations:
            marker = f"[{number}]"
            if row.citation_rule in ("row", "sentence"):
                assert marker in row.quote, (table, row.source_line, marker)
            else:
                assert row.citation_rule == "next_in_paragraph"
                assert marker in raw_lines[row.source_line - 1]
