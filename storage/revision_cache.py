"""A content-addressed cache of rendered revisions under ``<output>/history/cache/``.

Fetching is the slow, serial, polite part of a history run, so what was fetched is kept:

- ``blobs/<sha256[:2]>/<sha256>.html``: the rendered HTML, named by its own sha256, so a
  revert (the same HTML again) is stored once and a damaged file is recognised on reading;
- ``revisions/<revid>.json``: which blob holds that revision, its byte count and when it was
  fetched. A revision identical to an earlier one (same sha1 in the listing: a revert) gets an
  entry naming the earlier one's blob without any request (``alias``).

Every file is written to a temporary name in its folder, flushed to disk and renamed, and the
blob before the entry that names it: a crash at any point leaves either a complete entry or
none (at worst an unreferenced blob), never a partial one, so a re-run fetches exactly the
revisions without an entry. A blob whose bytes no longer match its name is not served: the
entry is dropped, the revision fetched again, and the repair counted and logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mekdata.layout import CACHE_DIR, HISTORY_DIR
from storage.output_folder import atomic_write

logger = logging.getLogger(__name__)


def cache_root(output: Path) -> Path:
    return output / HISTORY_DIR / CACHE_DIR


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, mode=None, suffix=".part")


@dataclass(frozen=True)
class CacheEntry:
    revid: int
    sha256: str
    bytes: int
    fetched_at: str


@dataclass
class FetchSummary:
    """What one pass of ``fetch_missing`` did; ``failed`` maps a revid to its reason."""

    cached: int = 0
    fetched: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    identical: int = 0  # entries made from an identical earlier revision's, with no request


class FetchAbandoned(Exception):
    """Fetching stopped: too many revisions in a row failed (the last error is the cause)."""

    def __init__(self, summary: FetchSummary, in_a_row: int, last: BaseException) -> None:
        super().__init__(
            f"{in_a_row} revisions in a row failed to fetch ({summary.fetched} fetched and "
            f"{summary.cached} cached before); the last error: {type(last).__name__}: {last}"
        )
        self.summary = summary


class RevisionCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.repaired: list[int] = []  # revids whose blob was damaged and had to be refetched

    def _entry_path(self, revid: int) -> Path:
        return self.root / "revisions" / f"{int(revid)}.json"

    def _blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / f"{sha256}.html"

    def entry(self, revid: int) -> CacheEntry | None:
        try:
            raw = json.loads(self._entry_path(revid).read_bytes())
            return CacheEntry(
                int(raw["revid"]), str(raw["sha256"]), int(raw["bytes"]), raw["fetched_at"]
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # Entries are written whole, so this is outside damage: say so and refetch.
            self._drop(revid, "its entry is not the JSON the cache writes")
            return None

    def __contains__(self, revid: int) -> bool:
        return self.get(revid) is not None

    def get(self, revid: int) -> str | None:
        """The cached HTML of ``revid``, or None when it is not cached (or was damaged)."""
        entry = self.entry(revid)
        if entry is None:
            return None
        try:
            data = self._blob_path(entry.sha256).read_bytes()
        except FileNotFoundError:
            self._drop(revid, f"its blob {entry.sha256} is missing")
            return None
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            self._drop(revid, f"its blob {entry.sha256} no longer matches its sha256")
            return None
        return data.decode("utf-8")

    def put(self, revid: int, html: str, fetched_at: str | None = None) -> CacheEntry:
        data = html.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        blob = self._blob_path(digest)
        if not _holds(blob, digest):  # absent, or damaged: a name is only trusted when it fits
            _atomic_write(blob, data)
        entry = CacheEntry(
            int(revid),
            digest,
            len(data),
            fetched_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        _atomic_write(self._entry_path(revid), json.dumps(entry.__dict__).encode("utf-8"))
        return entry

    def alias(self, revid: int, same_as: int) -> CacheEntry | None:
        """Give ``revid`` the cached HTML of ``same_as`` (an earlier revision with the same
        sha1) without fetching it; None when ``same_as`` is not cached."""
        if self.get(same_as) is None:  # also checks its blob
            return None
        found = self.entry(same_as)
        if found is None:
            return None
        entry = CacheEntry(int(revid), found.sha256, found.bytes, found.fetched_at)
        _atomic_write(self._entry_path(revid), json.dumps(entry.__dict__).encode("utf-8"))
        return entry

    def missing(self, revids: Iterable[int]) -> list[int]:
        """The revids without a usable entry, in the order given."""
        return [revid for revid in revids if self.get(revid) is None]

    def _drop(self, revid: int, why: str) -> None:
        logger.warning(
            "Revision cache %s: revision %s is refetched because %s (disk damage or an "
            "outside edit; the cache itself only renames complete files).",
            self.root,
            revid,
            why,
        )
        self.repaired.append(int(revid))
        with contextlib.suppress(FileNotFoundError):
            self._entry_path(revid).unlink()


def _holds(blob: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(blob.read_bytes()).hexdigest() == digest
    except FileNotFoundError:
        return False


def fetch_missing(
    cache: RevisionCache,
    revids: Iterable[int],
    fetch: Callable[[int], str],
    on_progress: Callable[[int, FetchSummary], Any] | None = None,
    give_up_after: int | None = None,
    identical: Mapping[int, int] | None = None,
) -> FetchSummary:
    """Fetch, one at a time and in order, every revision not in the cache, storing each as
    soon as it arrives (a crash loses at most the one in flight). ``fetch`` retries what may
    heal by itself; an error it still raises is recorded as that revision's failure and the
    pass goes on, so one bad revision does not cost the others. After ``give_up_after``
    failures in a row the wiki itself is failing, not a revision: ``FetchAbandoned`` is raised
    (what was fetched stays cached) rather than spending a budget on each remaining one.

    ``identical`` maps a revision to an earlier one with the same sha1: it is given that one's
    cached HTML (``RevisionCache.alias``) and fetched only when that one is not cached."""
    summary = FetchSummary()
    in_a_row = 0
    identical = identical or {}
    for revid in revids:
        if cache.get(revid) is not None:
            summary.cached += 1
        elif revid in identical and cache.alias(revid, identical[revid]) is not None:
            summary.identical += 1
        else:
            try:
                html = fetch(revid)
            except Exception as error:  # recorded per revision, decided on by the flow
                summary.failed[int(revid)] = f"{type(error).__name__}: {error}"
                in_a_row += 1
                if give_up_after is not None and in_a_row >= give_up_after:
                    raise FetchAbandoned(summary, in_a_row, error) from error
            else:
                cache.put(revid, html)
                summary.fetched += 1
                in_a_row = 0
        if on_progress is not None:
            on_progress(int(revid), summary)
    return summary
