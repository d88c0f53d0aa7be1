"""Pure extractors: article text in, tables out. No I/O, no Prefect."""

from __future__ import annotations

import pandas as pd

from transforms.designations import extract_designations_with_findings
from transforms.document import Document, ReferenceAnchor
from transforms.electoral_history import extract_electoral_history_with_findings
from transforms.findings import extract_findings
from transforms.membership_estimates import extract_membership_estimates_with_findings
from transforms.references import extract_notes, extract_references

__all__ = ["Document", "extract_all", "extract_claims"]


def extract_claims(document: Document) -> tuple[dict[str, pd.DataFrame], list]:
    """The three claim tables (designations, electoral history, membership estimates) and
    their extractors' findings: all a history needs of a revision. The references alone cost
    as much again, so a history, which never reads them, does not extract them."""
    designations, designation_findings = extract_designations_with_findings(document)
    electoral_history, electoral_findings = extract_electoral_history_with_findings(document)
    estimates, estimate_findings = extract_membership_estimates_with_findings(document)
    tables = {
        "designations": designations,
        "electoral_history": electoral_history,
        "membership_estimates": estimates,
    }
    return tables, [*designation_findings, *electoral_findings, *estimate_findings]


def extract_all(
    text: str, reference_anchors: tuple[ReferenceAnchor, ...] = ()
) -> dict[str, pd.DataFrame]:
    """Every published table, keyed by table name, from the article's raw text (and, for a
    source rendered from HTML, what the HTML says of its reference list)."""
    document = Document.from_text(text, reference_anchors)
    claims, findings = extract_claims(document)
    return {
        **claims,
        "references": extract_references(document),
        "notes": extract_notes(document),
        "findings": extract_findings(document, findings),
    }
