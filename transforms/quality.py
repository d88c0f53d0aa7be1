"""Findings: what the extractors noticed about the source that a user must be told."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from transforms.schema import FINDINGS, to_frame


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    table: str
    detail: str
    source_line: int | None = None
    related_lines: list[int] = field(default_factory=list)
    section: str | None = None
    ref_number: int | None = None

    @property
    def finding_id(self) -> str:
        digest = hashlib.sha1(f"{self.kind}|{self.table}|{self.detail}".encode()).hexdigest()
        return f"{self.kind}-{digest[:10]}"


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.finding_id, finding)
    ordered = sorted(
        unique.values(),
        key=lambda f: (f.table, f.kind, f.source_line or 0, f.detail),
    )
    return to_frame(
        FINDINGS,
        (
            {
                "finding_id": f.finding_id,
                "kind": f.kind,
                "severity": f.severity,
                "table": f.table,
                "detail": f.detail,
                "source_line": f.source_line,
                "related_lines": sorted(f.related_lines),
                "section": f.section,
                "ref_number": f.ref_number,
            }
            for f in ordered
        ),
    )
