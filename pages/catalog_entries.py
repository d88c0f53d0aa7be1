"""What the catalog page shows of a version, as its index entry carries it: computed when the
version is published (storage/publish.py, storage/history_publish.py) from the validation
report, the change list and the source's metadata, so the page need not read them again
(storage/catalog.py computes them from the folder for versions published before)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_ATTRIBUTION = "Wikipedia contributors, licensed under CC BY-SA 4.0."


def validation_summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict of a validation report in a few numbers."""
    suites = report.get("suites") or {}
    return {
        "success": bool(report.get("success")),
        "suites": len(suites),
        "evaluated": sum(int(s.get("evaluated", 0)) for s in suites.values()),
        "successful": sum(int(s.get("successful", 0)) for s in suites.values()),
    }


def changes_summary(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Per-table counts of a change list (storage/changes.py), without the rows themselves."""
    return {
        "previous_version": changes.get("previous_version"),
        "tables": {
            name: {
                "added": table.get("added_count", 0),
                "removed": table.get("removed_count", 0),
                "changed": table.get("changed_count", 0),
            }
            for name, table in (changes.get("tables") or {}).items()
        },
    }


def index_fields(
    validation_report: Mapping[str, Any],
    changes: Mapping[str, Any],
    source_metadata: Mapping[str, Any],
) -> dict[str, Any]:
    """The extra keys of an ``index.json`` entry that the catalog page shows."""
    fields: dict[str, Any] = {
        "validation": validation_summary(validation_report),
        "changes": changes_summary(changes),
        "attribution": source_metadata.get("attribution", DEFAULT_ATTRIBUTION),
    }
    if source_metadata.get("title"):
        fields["source_title"] = source_metadata["title"]
    if source_metadata.get("url"):
        fields["source_url"] = source_metadata["url"]
    return fields
