"""Fetch a published release and verify every byte against the index before keeping it."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mekdata.layout import RELEASES_DIR
from storage.changes import diff_releases, render_changes_markdown
from storage.locations import Location, LocationError


class VerificationError(LocationError):
    """A downloaded file does not match the size or checksum the index promises."""

    exit_code = 6


@dataclass(frozen=True)
class Downloaded:
    version: str
    path: Path
    files: int
    bytes: int


def download_release(source: str, version: str, destination: str | Path) -> Downloaded:
    """Download ``version`` (or 'latest') from ``source`` into ``destination/<version>/``.

    Files are written to a temporary folder beside the destination and verified (size and
    sha256 from index.json); only a fully verified release is moved into place. On any
    mismatch nothing is left behind and the error names the bad file.
    """
    location = Location(source)
    entry = location.resolve_version(version)
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    final = destination / entry["version"]
    if final.exists():
        raise LocationError(f"{final} already exists; remove it or choose another --to.")
    staging = Path(tempfile.mkdtemp(dir=destination, prefix=f".download-{entry['version']}-"))
    total = 0
    try:
        for item in entry["files"]:
            relative = f"{RELEASES_DIR}/{entry['version']}/{item['path']}"
            data = location.read_bytes(relative)
            _verify(location.join(relative), data, item)
            target = staging / item["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            total += len(data)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Downloaded(entry["version"], final, len(entry["files"]), total)


def _verify(where: str, data: bytes, item: dict) -> None:
    if len(data) != item["bytes"]:
        raise VerificationError(
            f"{item['path']} from {where} is {len(data):,} bytes but the index says "
            f"{item['bytes']:,}; the download was discarded."
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != item["sha256"]:
        raise VerificationError(
            f"{item['path']} from {where} has sha256 {digest[:16]}… but the index says "
            f"{item['sha256'][:16]}…; the download was discarded."
        )


def diff_versions(source: str, old: str, new: str) -> str:
    """The change summary between two published versions, as markdown."""
    location = Location(source)
    old_entry, new_entry = location.resolve_version(old), location.resolve_version(new)
    with tempfile.TemporaryDirectory(prefix="mekdata-diff-") as scratch:
        folders = []
        for entry in (old_entry, new_entry):
            folder = Path(scratch) / entry["version"]
            folder.mkdir(exist_ok=True)
            for item in entry["files"]:
                if item["path"].endswith(".parquet"):
                    data = location.read_bytes(f"{RELEASES_DIR}/{entry['version']}/{item['path']}")
                    _verify(item["path"], data, item)
                    (folder / item["path"]).write_bytes(data)
            folders.append(folder)
        changes = diff_releases(folders[0], folders[1], old_entry["version"], new_entry["version"])
    return render_changes_markdown(changes)
