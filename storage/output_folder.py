"""Reading and writing the output folder (its names: mekdata/layout.py).

The one reader of the indexes, the lock that serialises publishing runs on a folder, atomic
file replacement, and the one publishing transaction releases and history releases share: a
version is staged in a hidden folder, then committed by renaming it into place, writing its
index, the catalog page and (for a release) ``latest.json``, in that order.

Standard library only: the CLI's "unchanged" shortcut uses it before importing anything heavy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mekdata.errors import PublishError
from mekdata.layout import CATALOG_FILE, INDEX_FILE, LATEST_FILE, LOCK_FILE

VERSION_RE = re.compile(r"^(?P<date>\d{4}\.\d{2}\.\d{2})(?:\.(?P<n>\d+))?$")
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755


def parse_index(data: bytes | None) -> dict[str, Any]:
    """The one reading of an ``index.json``, wherever it was read from (``read_index`` here,
    ``Location.index`` for URLs and buckets): no versions when there is none (``data`` None);
    ValueError when it is not JSON or holds no list of versions."""
    if data is None:
        return {"versions": []}
    index = json.loads(data)
    if not isinstance(index, dict) or not isinstance(index.get("versions"), list):
        raise ValueError("it holds no list of versions")
    return index


def read_index(folder: Path) -> dict[str, Any]:
    """``folder/index.json`` (the output's releases, or ``history/``'s history releases); no
    versions when there is none yet. An unreadable index stops the run: it is never guessed."""
    path = folder / INDEX_FILE
    try:
        return parse_index(path.read_bytes() if path.exists() else None)
    except (OSError, ValueError) as error:
        raise PublishError(
            f"Cannot read {path}: {error}. Fix or remove it; releases are untouched."
        ) from error


def latest_entry(folder: Path) -> dict[str, Any] | None:
    """The newest version's index entry, or None when there is none or any doubt (an
    unreadable index, a malformed entry): for shortcuts that may always take the long way."""
    try:
        versions = read_index(folder)["versions"]
        return dict(versions[-1])
    except (PublishError, KeyError, IndexError, TypeError, ValueError):
        return None


def next_version(existing: list[str], today: dt.date) -> str:
    stem = today.strftime("%Y.%m.%d")
    same_day = [VERSION_RE.match(v) for v in existing]
    taken = [int(m["n"] or 0) for m in same_day if m and m["date"] == stem]
    if not taken:
        return stem
    return f"{stem}.{max(taken) + 1}"


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Exclusive lock on the output folder; a second run waits for the first."""
    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write(
    path: Path, data: bytes, mode: int | None = PUBLIC_FILE_MODE, suffix: str = ""
) -> None:
    """Write a file so that readers see the old bytes or the new ones, never a part: a
    temporary file in the same folder (named with ``suffix``), fsync, rename. ``mode`` None
    keeps the temporary file's private mode (the revision cache is no published file)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def make_public(folder: Path) -> None:
    """mkdtemp makes private folders; a published version is for everyone to read."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, PUBLIC_DIR_MODE if path.is_dir() else PUBLIC_FILE_MODE)


def commit_version(
    output: Path,
    staging: Path,
    target: Path,
    *,
    index_folder: Path,
    index: dict[str, Any],
    catalog_page: str,
    latest: dict[str, Any] | None = None,
    before_rename: Callable[[Path], None] | None = None,
) -> None:
    """Publish a finished staging folder as ``target`` (``releases/<v>`` or ``history/<v>``):
    make it readable, rename it into place (never over a published version), then replace
    the index in ``index_folder`` (the output's or ``history/``'s) with ``index``, the
    catalog page with ``catalog_page`` and, for a release, ``latest.json`` with ``latest``.
    The caller holds the output lock and rendered the page before calling, so a page that
    cannot be made publishes nothing.

    Nothing is published when the rename fails; when the index cannot be written the version
    is removed again. ``before_rename`` sees the finished staging folder (tests use it to
    inject a failure at the worst moment)."""
    make_public(staging)
    if before_rename is not None:
        before_rename(staging)
    if target.exists():
        raise PublishError(f"{target} already exists; published versions are immutable.")
    os.rename(staging, target)
    index_path = index_folder / INDEX_FILE
    try:
        atomic_write(index_path, json_bytes(index))
    except OSError as error:
        shutil.rmtree(target, ignore_errors=True)
        raise PublishError(
            f"Cannot write {index_path}: {error.strerror or error}; version {target.name} "
            "was removed again and earlier versions are untouched."
        ) from error
    atomic_write(output / CATALOG_FILE, catalog_page.encode("utf-8"))
    if latest is not None:
        atomic_write(output / LATEST_FILE, json_bytes(latest))
