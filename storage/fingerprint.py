"""Cheap identity of a build: the source bytes and the code that turns them into tables.

Standard library only, so the CLI can tell an unchanged run before importing anything heavy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mekdata import REPO_ROOT

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
