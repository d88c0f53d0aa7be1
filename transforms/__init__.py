"""Pure extractors: article text in, tables out. No I/O, no Prefect."""

from __future__ import annotations

import pandas as pd

from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.electoral_history import extract_electoral_history_with_findings
from transforms.findings import extract_findings
from transforms.membership_estimates import extract_membership_estimates_with_findings
from transforms.references import extract_notes, extract_references

__all__ = ["Document", "extract_all"]


def extract_all(text: str) -> dict[str, pd.DataFrame]:
    """Every published table, keyed by table name, from the article's raw text."""
    document = Document.from_text(text)
    designations, designation_findings = extract_designations_with_findings(document)
    electoral_history, electoral_findings = extract_electoral_history_with_findings(document)
    estimates, estimate_findings = extract_membership_estimates_with_findings(document)
    return {
        "designations": designations,
        "electoral_history": electoral_history,
        "membership_estimates": estimates,
        "references": extract_references(document),
        "notes": extract_notes(document),
        "findings": extract_findings(
            document, [*designation_findings, *electoral_findings, *estimate_findings]
        ),
    }
