"""Writing the catalog page (pages/catalog.py renders it) from the output's indexes, inside
the publisher's lock, so the page always lists what the indexes list.

Standard library only: the CLI's "unchanged" shortcut uses it before importing anything heavy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mekdata import CONTENT_LICENCE
from mekdata.errors import PublishError
from mekdata.layout import (
    CATALOG_FILE,
    CHANGES_JSON,
    HISTORY_DIR,
    INDEX_FILE,
    RELEASES_DIR,
    VALIDATION_FILE,
)
from pages.catalog import render_catalog
from pages.catalog_entries import changes_summary, validation_summary
from storage.locations import Location, LocationError
from storage.output_folder import atomic_write, output_lock, read_index


def _read_version_file(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise PublishError(
            f"Cannot read {path} for the catalog page: {error}. Fix or remove it; nothing "
            "was published and the releases are untouched."
        ) from error


def _completed(index: dict[str, Any], root: Path) -> dict[str, Any]:
    """Versions published before the index carried the page's fields get them from their
    folder (validation.json, changes.json) when it is here; otherwise they show as unknown."""
    versions = []
    for entry in index.get("versions") or []:
        entry = dict(entry)
        folder = root / str(entry.get("version"))
        if "validation" not in entry:
            report = _read_version_file(folder / VALIDATION_FILE) if folder.is_dir() else None
            if report is not None:
                entry["validation"] = validation_summary(report)
        if "changes" not in entry:
            changes = _read_version_file(folder / CHANGES_JSON) if folder.is_dir() else None
            if changes is not None:
                entry["changes"] = changes_summary(changes)
        versions.append(entry)
    return {**index, "versions": versions}


def catalog_html(
    output: Path,
    licence: Mapping[str, Any] | None = None,
    releases: dict[str, Any] | None = None,
    history: dict[str, Any] | None = None,
) -> str:
    """The page for what ``output`` holds now, or will hold once ``releases`` or ``history``
    (the index about to be written) is in place: a publisher renders the page before it
    commits anything."""
    if releases is None:
        releases = read_index(output)
    if history is None:
        history = read_index(output / HISTORY_DIR)
    return render_catalog(
        _completed(releases, output / RELEASES_DIR),
        _completed(history, output / HISTORY_DIR),
        licence,
    )


def write_catalog(
    output: Path, licence: Mapping[str, Any] | None = None, page: str | None = None
) -> Path:
    """Replace ``output/index.html`` atomically with ``page`` (or the page for what the output
    holds now). The caller holds the output lock."""
    target = output / CATALOG_FILE
    data = (page if page is not None else catalog_html(output, licence)).encode("utf-8")
    atomic_write(target, data)
    return target


def mirror_history_index(location: Location, mirror: Path) -> None:
    """Copy ``history/index.json`` of a remote output into the local mirror a remote publish
    builds in, when there is one."""
    try:
        data = location.read_bytes(f"{HISTORY_DIR}/{INDEX_FILE}")
    except LocationError as error:
        if "does not exist" in str(error):
            return
        raise
    (mirror / HISTORY_DIR).mkdir(parents=True, exist_ok=True)
    (mirror / HISTORY_DIR / INDEX_FILE).write_bytes(data)


def ensure_catalog(output: Path) -> Path | None:
    """Write the page for an output published before it existed (an unchanged run otherwise
    writes nothing); None when there is nothing to list or the page is already there."""
    if (output / CATALOG_FILE).exists() or not (output / INDEX_FILE).exists():
        return None
    with output_lock(output):
        if (output / CATALOG_FILE).exists():
            return None
        return write_catalog(output, CONTENT_LICENCE)
