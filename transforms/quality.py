"""Findings: what the extractors noticed about the source that a user must be told."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from transforms.schema import FINDING_SEVERITY, FINDING_SEVERITY_CHOICES, FINDINGS, to_frame


@dataclass(frozen=True)
class Finding:
    kind: str
    table: str
    detail: str
    source_line: int | None = None
    related_lines: list[int] = field(default_factory=list)
    section: str | None = None
    ref_number: int | None = None
    # Decided per kind, in one place: transforms/schema.py FINDING_SEVERITY. Only the kinds in
    # FINDING_SEVERITY_CHOICES take a severity from the extractor, and only one of their
    # choices; any other value is a bug in the extractor, so it raises.
    severity: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FINDING_SEVERITY:
            raise ValueError(f"finding kind {self.kind!r} has no severity in FINDING_SEVERITY")
        choices = FINDING_SEVERITY_CHOICES.get(self.kind, ())
        # dataclasses.replace() passes the severity already set, so the fixed one is fine.
        if self.severity is None:
            object.__setattr__(self, "severity", FINDING_SEVERITY[self.kind])
        elif self.severity not in choices and self.severity != FINDING_SEVERITY[self.kind]:
            raise ValueError(
                f"finding kind {self.kind!r} has its severity fixed in FINDING_SEVERITY; "
                f"{self.severity!r} cannot be chosen per finding"
            )

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


def frame_findings(frame: pd.DataFrame) -> list[Finding]:
    """The findings a findings frame holds, back as Finding objects."""
    return [
        Finding(
            kind=record["kind"],
            table=record["table"],
            detail=record["detail"],
            source_line=_optional_int(record["source_line"]),
            related_lines=[int(n) for n in record["related_lines"]],
            section=None if pd.isna(record["section"]) else record["section"],
            ref_number=_optional_int(record["ref_number"]),
            severity=record["severity"],
        )
        for record in frame.to_dict("records")
    ]


def with_findings(frame: pd.DataFrame, findings: Iterable[Finding]) -> pd.DataFrame:
    """``frame`` plus ``findings``, ordered and typed as if all had been found at once."""
    added = list(findings)
    if not added:
        return frame
    return findings_frame(frame_findings(frame) + added)


def _optional_int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
