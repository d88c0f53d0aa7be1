"""Checks of a history release before it is published: spans, references and replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transforms.schema import CLAIM_TABLES


def run_checks(folder: Path, latest_tables: dict[str, Any]) -> dict[str, Any]:
    """The validation gate: spans, references and replay, read back from the Parquet."""
    import pandas as pd

    from transforms.history import check_references, check_replay, check_spans

    revisions = pd.read_parquet(folder / "revisions.parquet")
    events = pd.read_parquet(folder / "claim_events.parquet")
    histories = {
        f"{name}_history": pd.read_parquet(folder / f"{name}_history.parquet")
        for name in CLAIM_TABLES
    }
    checks = {
        "spans": [
            p for n in CLAIM_TABLES for p in check_spans(n, histories[f"{n}_history"], revisions)
        ],
        "references": check_references(histories, events, revisions),
        "replay": check_replay(events.to_dict("records"), latest_tables) if latest_tables else [],
    }
    return {
        "success": not any(checks.values()),
        "checks": {
            name: {"success": not problems, "problems": problems}
            for name, problems in checks.items()
        },
        "suites": {},
    }
