"""Publishing a history release: ``history/<version>/``, ``history/index.json``, the catalog."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from mekdata.errors import PublishError
from transforms.schema import HISTORY_TABLES

HISTORY_DIR = "history"
STAGING_PREFIX = ".staging-"


def publish_history(
    output: Path, staging: Path, report: dict[str, Any], run: dict[str, Any], licence: dict
) -> dict[str, Any]:
    """Finish the staging folder (datapackage, validation report, SHA256SUMS), rename it to
    ``history/<version>/`` (never overwriting), then add it to ``history/index.json`` and
    rewrite the catalog page. The caller holds the output lock."""
    from storage.catalog import validation_summary, write_catalog
    from storage.publish import atomic_write_bytes, checksum_files, json_bytes, next_version

    root = output / HISTORY_DIR
    index_path = root / "index.json"
    index = json.loads(index_path.read_text("utf-8")) if index_path.exists() else {"versions": []}
    now = dt.datetime.now(dt.UTC)
    version = next_version([str(v["version"]) for v in index.get("versions", [])], now.date())
    (staging / "validation.json").write_bytes(json_bytes(report))
    resources = [
        {
            "name": name,
            "path": f"{name}.parquet",
            "format": "parquet",
            "title": table.title,
            "description": table.description,
            "schema": {
                "fields": [{"name": c.name, "type": c.type} for c in table.columns],
                "primaryKey": list(table.primary_key),
            },
        }
        for name, table in HISTORY_TABLES.items()
    ]
    package = {
        "name": "mekdata-history",
        "version": version,
        "created": now.isoformat(timespec="seconds"),
        "licenses": [licence],
        "sources": [run["source"]],
        "resources": resources,
    }
    (staging / "datapackage.json").write_bytes(json_bytes(package))
    files = checksum_files(staging)
    target = root / version
    if target.exists():
        raise PublishError(f"History release {target} already exists; releases are immutable.")
    for path in staging.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(staging, 0o755)
    staging.rename(target)
    entry = {
        "version": version,
        "published_at": now.isoformat(timespec="seconds"),
        "path": f"{HISTORY_DIR}/{version}/",
        "validation": validation_summary(report),
        "run": run,
        "files": files,
    }
    index = {"name": "mekdata-history", "versions": [*index.get("versions", []), entry]}
    atomic_write_bytes(index_path, json_bytes(index))
    write_catalog(output, licence)
    return entry
