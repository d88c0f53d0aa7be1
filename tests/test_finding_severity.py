"""Severity is decided per kind in the schema module; only declared kinds are graded per finding."""

from __future__ import annotations

import dataclasses

import pytest

from transforms.quality import Finding
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
