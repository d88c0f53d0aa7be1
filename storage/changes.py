"""Row-level differences between two releases, keyed by each table's primary key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from transforms.schema import TABLES

MAX_LISTED_PER_TABLE = 200


def _rows_by_key(path: Path, key: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
    if not path.exists():
        return {}
    rows = pq.read_table(path).to_pylist()
    return {tuple(row.get(k) for k in key): row for row in rows}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _key_text(key: tuple[str, ...], values: tuple) -> str:
    return ", ".join(f"{k}={_plain(v)}" for k, v in zip(key, values, strict=True))


def diff_releases(
    previous_dir: Path | None, new_dir: Path, previous_version: str | None, version: str
) -> dict[str, Any]:
    """What changed from the previous release to this one, table by table."""
    tables: dict[str, Any] = {}
    for name, table in TABLES.items():
        key = table.primary_key
        new_rows = _rows_by_key(new_dir / f"{name}.parquet", key)
        old_rows = _rows_by_key(previous_dir / f"{name}.parquet", key) if previous_dir else {}
        added = [k for k in new_rows if k not in old_rows]
        removed = [k for k in old_rows if k not in new_rows]
        changed = []
        for k in new_rows:
            if k in old_rows and new_rows[k] != old_rows[k]:
                fields = {
                    column: {
                        "old": _plain(old_rows[k].get(column)),
                        "new": _plain(new_rows[k].get(column)),
                    }
                    for column in table.column_names
                    if old_rows[k].get(column) != new_rows[k].get(column)
                }
                changed.append({"key": _key_text(key, k), "fields": fields})
        tables[name] = {
            "rows_before": len(old_rows),
            "rows_after": len(new_rows),
            "added": [_key_text(key, k) for k in added][:MAX_LISTED_PER_TABLE],
            "removed": [_key_text(key, k) for k in removed][:MAX_LISTED_PER_TABLE],
            "changed": changed[:MAX_LISTED_PER_TABLE],
            "added_count": len(added),
            "removed_count": len(removed),
            "changed_count": len(changed),
        }
    return {"previous_version": previous_version, "version": version, "tables": tables}


def render_changes_markdown(changes: dict[str, Any]) -> str:
    version, previous = changes["version"], changes["previous_version"]
    if previous is None:
        lines = [f"# Release {version}", "", "First release: every row is new.", ""]
        for name, table in changes["tables"].items():
            lines.append(f"- `{name}`: {table['rows_after']} rows")
        return "\n".join(lines) + "\n"
    lines = [f"# Release {version}", "", f"Changes since {previous}.", ""]
    for name, table in changes["tables"].items():
        counts = (table["added_count"], table["removed_count"], table["changed_count"])
        if counts == (0, 0, 0):
            lines.append(f"## `{name}`: unchanged ({table['rows_after']} rows)\n")
            continue
        lines.append(f"## `{name}`: {table['rows_before']} → {table['rows_after']} rows\n")
        lines += [f"- Added row {k}." for k in table["added"]]
        lines += [f"- Removed row {k}." for k in table["removed"]]
        for change in table["changed"]:
            parts = [
                f"`{column}` {values['old']!r} → {values['new']!r}"
                for column, values in change["fields"].items()
            ]
            lines.append(f"- Row {change['key']}: " + "; ".join(parts) + ".")
        lines.append("")
    return "\n".join(lines) + "\n"
