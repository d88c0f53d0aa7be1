"""Whether a release run has nothing to do: its input is the input of the latest release and
the code that built that release is this code. The one decision that ``mekdata run`` takes
before starting anything and that the release flow takes before reading the source.

Light (standard library, ingestion's spec, storage's fingerprint and locations): the CLI
decides before it imports Prefect, pandas or Great Expectations.

Input, not data: a changed input may still give tables equal to the latest release's, which
only extraction can show (the flow's ``check_unchanged``, after extracting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingestion.source import max_source_bytes
from ingestion.spec import SourceSpec
from ingestion.wikipedia import WikiSource
from mekdata.errors import MekdataError
from mekdata.layout import RELEASES_DIR
from storage.fingerprint import build_fingerprint, file_sha256
from storage.locations import Location, is_remote, local_path

# The current revision id of a page: a small request to the wiki for the CLI, the revision the
# flow already asked for in the flow. Called only when a release of this wiki could match.
CurrentRevision = Callable[[WikiSource], int]


@dataclass(frozen=True)
class Unchanged:
    entry: dict[str, Any]  # the latest release's index entry
    reason: str  # what was the same, for the message

    @property
    def version(self) -> str:
        return self.entry["version"]


def unchanged_input(
    spec: SourceSpec, output: str, api_url: str, current_revision: CurrentRevision
) -> Unchanged | None:
    """The latest release at ``output`` when it was built by this code from the same input:
    for a file the same bytes, for a wiki page the same revision of the same wiki (``api_url``).
    A URL is downloaded before anything can be told: None. Any doubt (no index, an unreadable
    one, a local release folder gone, a file too large to read) means None: the run then reads
    the source and reports what is wrong."""
    if spec.is_url:
        return None
    latest = _latest_entry(output)
    if latest is None or latest.get("build_fingerprint") != build_fingerprint():
        return None
    if spec.wiki is not None:
        record = latest.get("wikipedia") or {}
        if record.get("api_url") != api_url:
            return None
        revid = spec.wiki.revid if spec.wiki.revid is not None else current_revision(spec.wiki)
        if record.get("revid") != revid:
            return None
        return Unchanged(latest, f'revision {revid} of "{record.get("title")}" and the code')
    if latest.get("source_sha256") != _file_sha256(spec):
        return None
    return Unchanged(latest, "source and code")


def _latest_entry(output: str) -> dict[str, Any] | None:
    try:
        index = Location(output).index()
    except MekdataError:
        return None  # an unreadable index is publish's to report
    versions = index.get("versions") if isinstance(index, dict) else None
    if not versions or not isinstance(versions, list):
        return None
    latest = versions[-1]
    if not isinstance(latest, dict) or "version" not in latest:
        return None
    if is_remote(output):
        return latest
    if not (local_path(output) / RELEASES_DIR / latest["version"]).is_dir():
        return None
    return latest


def _file_sha256(spec: SourceSpec) -> str | None:
    limit = max_source_bytes()  # a bad limit setting is refused here, before anything starts
    try:
        if spec.path.stat().st_size > limit:
            return None  # the reader refuses it, with its message
        return file_sha256(spec.path)
    except OSError:
        return None
