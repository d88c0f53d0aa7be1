"""What a run leaves in Prefect for whoever watches the schedule: a markdown summary and one
table artifact per published table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from transforms.dates import format_date

ARTIFACT_PREFIX = "mekdata"
MAX_ARTIFACT_ROWS = 500


def summary_markdown(
    status: str,
    version: str,
    row_counts: dict[str, int],
    changes: dict[str, Any] | None,
    findings: pd.DataFrame | None,
    validation: dict[str, Any] | None,
) -> str:
    lines = [
        f"# mekdata release {version}"
        if status == "published"
        else f"# mekdata: unchanged since {version}",
        "",
    ]
    if status == "unchanged":
        lines += ["The extracted tables equal the latest release: nothing was published.", ""]
    lines += ["| table | rows | added | removed | changed |", "|---|---|---|---|---|"]
    for name, rows in row_counts.items():
        delta = (changes or {}).get("tables", {}).get(name, {})
        lines.append(
            f"| {name} | {rows} | {delta.get('added_count', '')} | "
            f"{delta.get('removed_count', '')} | {delta.get('changed_count', '')} |"
        )
    if findings is not None and len(findings):
        counts = findings.groupby("kind").size().to_dict()
        lines += ["", "Findings: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))]
        for detail in findings.loc[findings["kind"] == "conflict", "detail"]:
            lines.append(f"- {detail}")
    if validation:
        met = sum(s["successful"] for s in validation["suites"].values())
        total = sum(s["evaluated"] for s in validation["suites"].values())
        verdict = "passed" if validation["success"] else "FAILED"
        lines += [
            "",
            f"Validation {verdict}: {met}/{total} expectations met in "
            f"{len(validation['suites'])} suites.",
        ]
        quality = validation.get("gates", {}).get("source_quality")
        if quality and not quality["success"]:
            lines.append(
                f"Source quality: {quality['failed']} of {quality['evaluated']} checks found "
                "the article odd (published anyway; see the findings)."
            )
    return "\n".join(lines) + "\n"


def table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows for a table artifact (dates as ISO text, lists joined with ';')."""

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return ";".join(str(v) for v in value)
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and value != value:
            return None
        if isinstance(value, pd.Timestamp | dt.date):
            return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)
        if hasattr(value, "item"):
            return value.item()
        return value

    def at_precision(row: dict[str, Any]) -> dict[str, Any]:
        """A partial date as written ("May 2002"), never as its stored first day."""
        return {
            k: format_date(v, row[f"{k}_precision"]) if f"{k}_precision" in row else cell(v)
            for k, v in row.items()
        }

    return [at_precision(row) for row in frame.head(MAX_ARTIFACT_ROWS).to_dict("records")]


def artifact_key(table: str) -> str:
    return f"{ARTIFACT_PREFIX}-{table.replace('_', '-')}"
