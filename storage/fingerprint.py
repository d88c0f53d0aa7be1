"""Cheap identity of a build: the source bytes and the code that turns them into tables.

Standard library only, so the CLI can tell an unchanged run before importing anything heavy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mekdata.layout import RELEASES_DIR
from storage.output_folder import latest_entry

REPO_ROOT = Path(__file__).resolve().parents[1]
# Everything that decides a release's table bytes and its validation.
BUILD_INPUTS = (
    "transforms/*.py",
    "expectations/*.json",
    "expectations/*.py",
    # The renderer decides the text a Wikipedia revision becomes, hence its tables.
    "ingestion/html_text.py",
)
# A history release's rows also depend on how the flow settles the batches' triage and which
# revisions it takes as identical, on how a re-run continues the previous release, and on what
# the client asks the wiki for (the listing's sha1s, the parse request's rendering).
HISTORY_BUILD_INPUTS = (
    *BUILD_INPUTS,
    "flows/history_flow.py",
    "storage/history_resume.py",
    "ingestion/wikipedia.py",
)


def build_fingerprint(inputs: tuple[str, ...] = BUILD_INPUTS) -> str:
    digest = hashlib.sha256()
    for pattern in inputs:
        for path in sorted(REPO_ROOT.glob(pattern)):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def history_fingerprint() -> str:
    return build_fingerprint(HISTORY_BUILD_INPUTS)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unchanged_local_run(source: Path, output: Path) -> dict | None:
    """The latest release's index entry when it was built from these exact source bytes by
    this exact code, else None. Any doubt (no index, unreadable file) means None."""
    # Only here: ingestion.source imports pandas (0.8 s, measured 2026-12-07), and this module
    # is the CLI's standard-library shortcut.
    from ingestion.source import max_source_bytes

    try:
        if source.stat().st_size > max_source_bytes():
            return None  # let ingest refuse it with its message
        latest = latest_entry(output)
        if latest is None or latest.get("build_fingerprint") != build_fingerprint():
            return None
        if latest.get("source_sha256") != file_sha256(source):
            return None
        if not (output / RELEASES_DIR / latest["version"]).is_dir():
            return None
        return latest
    except (OSError, ValueError, KeyError, IndexError):
        return None


def same_revision(entry: dict | None, api_url: str, revid: int) -> bool:
    """Whether a release's index entry was built from this wiki revision by this code: then
    the revision need not be rendered again (one small metadata request decides)."""
    if not entry:
        return False
    record = entry.get("wikipedia") or {}
    return (
        record.get("api_url") == api_url
        and record.get("revid") == revid
        and entry.get("build_fingerprint") == build_fingerprint()
    )


def latest_wiki_entry(output: Path, api_url: str) -> dict | None:
    """The latest local release's index entry when it was built from a revision of this wiki
    by this code (so that asking for the current revision may show nothing changed)."""
    latest = latest_entry(output)
    if latest is None:
        return None
    record = latest.get("wikipedia") or {}
    if record.get("api_url") != api_url or latest.get("build_fingerprint") != build_fingerprint():
        return None
    if not (output / RELEASES_DIR / str(latest.get("version"))).is_dir():
        return None
    return latest
