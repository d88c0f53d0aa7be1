"""Severity is decided per kind in the schema module; only declared kinds are graded per finding."""

from __future__ import annotations

import dataclasses

import pytest

from transforms.quality import Finding, findings_frame, frame_findings, with_findings
from transforms.schema import FINDING_SEVERITY, FINDING_SEVERITY_CHOICES


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        pytest.param("conflict", None, "error", id="fixed-kind-default"),
        pytest.param("maintenance_tag", None, "info", id="fixed-info-kind"),
        pytest.param("candidate_estimate", "info", "info", id="graded-kind-info"),
        pytest.param("candidate_estimate", "warning", "warning", id="graded-kind-warning"),
        pytest.param("candidate_estimate", None, "warning", id="graded-kind-default"),
    ],
)
def test_severity_comes_from_the_kind(kind: str, given: str | None, expected: str) -> None:
    finding = Finding(kind=kind, table="designations", detail="x", severity=given)
    assert finding.severity == expected


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        pytest.param("conflict", "info", id="fixed-kind-overridden"),
        pytest.param("candidate_estimate", "error", id="graded-kind-outside-its-choices"),
        pytest.param("no_such_kind", None, id="undeclared-kind"),
    ],
)
def test_an_undeclared_severity_is_a_bug(kind: str, given: str | None) -> None:
    with pytest.raises(ValueError, match=kind):
        Finding(kind=kind, table="designations", detail="x", severity=given)


def test_replace_keeps_a_fixed_severity() -> None:
    finding = Finding(kind="conflict", table="designations", detail="x")
    assert dataclasses.replace(finding, section="Lead").severity == "error"


def test_every_graded_kind_has_a_default_among_its_choices() -> None:
    for kind, choices in FINDING_SEVERITY_CHOICES.items():
        assert FINDING_SEVERITY[kind] in choices, kind


def test_a_findings_frame_round_trips_with_its_graded_severities() -> None:
    """Adding source-quality findings rebuilds the frame: an info candidate stays info."""
    graded = Finding(
        kind="candidate_estimate", table="membership_estimates", detail="a", severity="info"
    )
    fixed = Finding(kind="conflict", table="designations", detail="b")
    frame = findings_frame([graded, fixed])
    assert [f.severity for f in frame_findings(frame)] == ["error", "info"]
    added = Finding(kind="source_quality", table="references", detail="c")
    combined = with_findings(frame, [added])
    assert dict(zip(combined["kind"], combined["severity"], strict=True)) == {
        "candidate_estimate": "info",
        "conflict": "error",
        "source_quality": "warning",
    }
