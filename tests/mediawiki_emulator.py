"""An emulator of the MediaWiki Action API on 127.0.0.1, for tests and the benchmark.

It answers ``action=query&prop=revisions`` and ``action=parse`` with the shapes the real API
gives with ``format=json&formatversion=2`` (mediawiki.org: API:Revisions, API:Parse, API:Errors
and warnings, Manual:Maxlag parameter), from pages held in memory:

- a page has a title, a page id and its revisions, oldest first; each revision has an id, its
  parent, a timestamp, its rendered HTML (what ``parse.text`` returns) and may be hidden
  (revision deletion). A long history (the benchmark's 10,000 revisions) is served without
  holding its pages: ``add_rendered_revision`` keeps a function that renders the HTML when
  ``action=parse`` asks for it, and the sha1 and size of its source text, as MediaWiki lists
  those of the wikitext;
- redirects map an old title to a page's title (``redirects=1`` resolves them);
- titles are normalised as MediaWiki does for the main namespace (underscores to spaces,
  first letter upper case) and reported under ``query.normalized``;
- listings (``rvlimit``, ``rvdir``, ``rvcontinue``) page through a page's revisions, so the
  history of every revision can be read from the same emulator.

Faults are scripted per request (``fail_next``): ``maxlag`` (HTTP 200, error code maxlag, a
``Retry-After`` header), ``5xx`` (HTTP 503 with an HTML body, as Wikimedia's front end answers),
``slow`` (the answer is held back), ``malformed`` (a truncated JSON body), ``html`` (an HTML
error page with status 200, as a captive portal or misconfigured proxy gives),
``missingtitle`` and ``nosuchrevid`` (the API's own errors). Every request is logged with its
path, parameters, headers and start/end times, so tests can check the client's etiquette.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import json
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

API_PATH = "/w/api.php"
SLOW_SECONDS = 5.0
MAX_RVLIMIT = 500  # the API's limit for a listing without content
FAULT_KINDS = frozenset(
    {"maxlag", "5xx", "slow", "malformed", "html", "missingtitle", "nosuchrevid"}
)
ERROR_PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><title>Wikimedia Error</title></head><body>"
    b"<h1>Error</h1><p>Our servers are currently under maintenance or experiencing a "
    b"technical issue.</p></body></html>"
)


@dataclass
class EmulatedRevision:
    revid: int
    parentid: int
    timestamp: str
    html: str
    hidden: bool = False  # revision deletion: text and sha1 hidden from the public

    @property
    def sha1(self) -> str:
        # The real sha1 is of the wikitext; the emulator has only HTML, whose hash is as good
        # for telling revisions apart.
        return hashlib.sha1(self.html.encode("utf-8")).hexdigest()

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))


@dataclass
class RenderedRevision:
    """A revision whose HTML is rendered each time it is asked for; ``sha1`` and ``size``
    are given (those of its source text), so a listing renders nothing."""

    revid: int
    parentid: int
    timestamp: str
    render: Callable[[], str]
    sha1: str
    size: int
    hidden: bool = False

    @property
    def html(self) -> str:
        return self.render()


AnyRevision = EmulatedRevision | RenderedRevision


@dataclass
class EmulatedPage:
    pageid: int
    title: str
    revisions: list[AnyRevision] = field(default_factory=list)  # oldest first
    wikibase_item: str | None = None  # the page property prop=pageprops answers with


@dataclass
class Fault:
    kind: str
    action: str | None = None  # only requests with this action; None: any
    retry_after: int = 1
    delay: float = SLOW_SECONDS


@dataclass
class LoggedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    started: float
    finished: float = 0.0
    status: int = 0
    fault: str | None = None
    content_encoding: str | None = None  # of the answer: "gzip" when the client asked for it


def normalise(title: str) -> str:
    """MediaWiki's main-namespace title normalisation (the part a test can exercise)."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


class MediaWikiEmulator:
    def __init__(self) -> None:
        self.pages: dict[str, EmulatedPage] = {}
        self.redirects: dict[str, str] = {}
        self.log: list[LoggedRequest] = []
        self.faults: deque[Fault] = deque()
        self._by_revid: dict[int, tuple[EmulatedPage, AnyRevision]] = {}
        self._next_pageid = 1000
        self._next_revid = 900_000_000
        self._state = threading.Lock()
        self._stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"emulator": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.base_url + API_PATH
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- content --------------------------------------------------------------------------

    def add_page(self, title: str) -> EmulatedPage:
        with self._state:
            page = EmulatedPage(self._next_pageid, normalise(title))
            self._next_pageid += 1
            self.pages[page.title] = page
            return page

    def add_revision(
        self,
        title: str,
        html: str,
        timestamp: str | None = None,
        hidden: bool = False,
        revid: int | None = None,
    ) -> EmulatedRevision:
        """Append a revision to the page (created if new); ids grow as on a real wiki, unless
        ``revid`` gives one (a scripted history with its own ids)."""
        return self._append(
            title,
            lambda number, parent, stamp: EmulatedRevision(number, parent, stamp, html, hidden),
            timestamp,
            revid,
        )

    def add_rendered_revision(
        self,
        title: str,
        render: Callable[[], str],
        *,
        sha1: str,
        size: int,
        timestamp: str,
        revid: int,
    ) -> RenderedRevision:
        """Append a revision whose HTML ``render()`` makes when it is asked for."""
        return self._append(
            title,
            lambda number, parent, stamp: RenderedRevision(
                number, parent, stamp, render, sha1, size
            ),
            timestamp,
            revid,
        )

    def _append(self, title: str, make, timestamp: str | None, revid: int | None):
        page = self.pages.get(normalise(title)) or self.add_page(title)
        with self._state:
            self._next_revid += 1 + len(self.pages) * 7  # other pages' edits in between
            parent = page.revisions[-1].revid if page.revisions else 0
            stamp = timestamp or time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_600_000_000 + self._next_revid % 10**7)
            )
            number = self._next_revid if revid is None else revid
            revision = make(number, parent, stamp)
            page.revisions.append(revision)
            self._by_revid[number] = (page, revision)
            return revision

    def add_redirect(self, old_title: str, target: str) -> None:
        self.redirects[normalise(old_title)] = normalise(target)

    def revision(self, revid: int) -> tuple[EmulatedPage, AnyRevision] | None:
        return self._by_revid.get(revid)

    # --- faults and the log ---------------------------------------------------------------

    def fail_next(self, kind: str, count: int = 1, action: str | None = None, **options) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {sorted(FAULT_KINDS)}")
        for _ in range(count):
            self.faults.append(Fault(kind, action, **options))

    def reset(self) -> None:
        """Clear the log and any fault a previous test left unused."""
        self.faults.clear()
        self.log.clear()

    def requests(self, action: str | None = None) -> list[LoggedRequest]:
        return [r for r in self.log if action is None or r.params.get("action") == action]

    def _take_fault(self, action: str | None) -> Fault | None:
        with self._state:
            if self.faults and self.faults[0].action in (None, action):
                return self.faults.popleft()
            return None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> MediaWikiEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # slow answers stop waiting
        self.server.shutdown()
        self.server.server_close()

    # --- the API --------------------------------------------------------------------------

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """(status, extra headers, JSON body) for an api.php request."""
        action = params.get("action")
        if params.get("format") != "json":
            return 200, {}, _error("badvalue", "This emulator speaks format=json only.")
        if action == "query":
            return 200, {}, self._query(params)
        if action == "parse":
            return 200, {}, self._parse(params)
        return 200, {}, _error("badvalue", f'Unrecognized value for parameter "action": {action}.')

    def _query(self, params: dict[str, str]) -> dict[str, Any]:
        modules = set(params.get("prop", "").split("|"))
        if "revisions" not in modules or not modules <= {"revisions", "pageprops"}:
            return _error("badvalue", "This emulator answers prop=revisions[|pageprops] only.")
        pageprops = "pageprops" in modules
        props = set(params.get("rvprop", "ids|timestamp|flags|comment|user").split("|"))
        query: dict[str, Any] = {}
        pages: list[dict[str, Any]] = []
        if "revids" in params:
            bad: dict[str, Any] = {}
            for raw in params["revids"].split("|"):
                found = self.revision(int(raw)) if raw.isdigit() else None
                if found is None:
                    bad[raw] = {"revid": int(raw) if raw.isdigit() else raw, "missing": True}
                    continue
                page, revision = found
                pages.append(self._page_entry(page, pageprops, [_revision_entry(revision, props)]))
            if bad:
                query["badrevids"] = bad
        else:
            titles = [t for t in params.get("titles", "").split("|") if t]
            normalized, redirects = [], []
            for requested in titles:
                title = normalise(requested)
                if title != requested:
                    normalized.append({"fromencoded": False, "from": requested, "to": title})
                if "redirects" in params and title in self.redirects:
                    redirects.append({"from": title, "to": self.redirects[title]})
                    title = self.redirects[title]
                page = self.pages.get(title)
                if page is None or not page.revisions:
                    pages.append({"ns": 0, "title": title, "missing": True})
                    continue
                listing = "rvlimit" in params or "rvcontinue" in params
                if not listing:
                    latest = [_revision_entry(page.revisions[-1], props)]
                    pages.append(self._page_entry(page, pageprops, latest))
                    continue
                chosen, token = _listing(page, params)
                pages.append(
                    self._page_entry(page, pageprops, [_revision_entry(r, props) for r in chosen])
                )
                if token is not None:
                    query_continue = {"rvcontinue": token, "continue": "||"}
                    return {"continue": query_continue, "query": {**query, "pages": pages}}
            if normalized:
                query["normalized"] = normalized
            if redirects:
                query["redirects"] = redirects
        if pages:
            query["pages"] = pages
        return {"batchcomplete": True, "query": query}

    def _page_entry(
        self, page: EmulatedPage, pageprops: bool, revisions: list[dict]
    ) -> dict[str, Any]:
        entry = {"pageid": page.pageid, "ns": 0, "title": page.title, "revisions": revisions}
        # The real API leaves pageprops out for a page without any of those asked for.
        if pageprops and page.wikibase_item is not None:
            entry["pageprops"] = {"wikibase_item": page.wikibase_item}
        return entry

    def _parse(self, params: dict[str, str]) -> dict[str, Any]:
        oldid = params.get("oldid", "")
        if not oldid:
            return _error("missingparam", 'The "oldid" parameter must be set (emulator).')
        found = self.revision(int(oldid)) if oldid.isdigit() else None
        if found is None:
            return _error("nosuchrevid", f"There is no revision with ID {oldid}.")
        page, revision = found
        if revision.hidden:
            return _error(
                "permissiondenied",
                "You don't have permission to view deleted text or changes between deleted "
                "revisions.",
            )
        props = set(params.get("prop", "text").split("|"))
        parsed: dict[str, Any] = {"title": page.title, "pageid": page.pageid}
        if "revid" in props:
            parsed["revid"] = revision.revid
        if "displaytitle" in props:
            parsed["displaytitle"] = f'<span class="mw-page-title-main">{page.title}</span>'
        if "text" in props:
            parsed["text"] = revision.html
        return {"parse": parsed}


def _error(code: str, info: str, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "info": info,
            **extra,
            "docref": "See https://en.wikipedia.org/w/api.php for API usage.",
        },
        "servedby": "emulator",
    }


def _revision_entry(revision: AnyRevision, props: set[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if "ids" in props:
        entry |= {"revid": revision.revid, "parentid": revision.parentid}
    if "timestamp" in props:
        entry["timestamp"] = revision.timestamp
    if "size" in props:
        entry["size"] = revision.size
    if "sha1" in props:
        if revision.hidden:
            entry["sha1hidden"] = True
        else:
            entry["sha1"] = revision.sha1
    if revision.hidden:
        entry["texthidden"] = True
    return entry


def _listing(page: EmulatedPage, params: dict[str, str]) -> tuple[list[AnyRevision], str | None]:
    """One batch of a revision listing and the rvcontinue token for the next
    ("timestamp|revid" of the first revision not returned), newest first unless rvdir=newer."""
    raw = params.get("rvlimit", "10")
    limit = MAX_RVLIMIT if raw == "max" else max(1, min(MAX_RVLIMIT, int(raw)))
    ordered = list(page.revisions)
    newer = params.get("rvdir", "older") == "newer"
    # rvstart/rvend bound the listing by timestamp, inclusive; with rvdir=older (newest first)
    # rvstart is the later bound, with rvdir=newer the earlier one (API:Revisions).
    low, high = (params.get("rvstart"), params.get("rvend"))
    if not newer:
        low, high = high, low
    ordered = [
        r
        for r in ordered
        if (low is None or r.timestamp >= low) and (high is None or r.timestamp <= high)
    ]
    if not newer:
        ordered.reverse()
    start = 0
    if "rvcontinue" in params:
        revid = int(params["rvcontinue"].rsplit("|", 1)[1])
        start = next(i for i, r in enumerate(ordered) if r.revid == revid)
    batch = ordered[start : start + limit]
    following = ordered[start + limit] if start + limit < len(ordered) else None
    if following is None:
        return batch, None
    stamp = "".join(ch for ch in following.timestamp if ch.isdigit())
    return batch, f"{stamp}|{following.revid}"


class _Handler(http.server.BaseHTTPRequestHandler):
    emulator: MediaWikiEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        entry = LoggedRequest(parts.path, params, dict(self.headers.items()), time.monotonic())
        self.emulator.log.append(entry)
        try:
            if parts.path != API_PATH:
                self._send(entry, 404, b"Not Found", "text/plain")
                return
            fault = self.emulator._take_fault(params.get("action"))
            if fault is not None:
                entry.fault = fault.kind
                if self._fault(entry, fault, params):
                    return
            status, headers, body = self.emulator.answer(params)
            self._send_json(entry, status, body, headers)
        finally:
            entry.finished = time.monotonic()

    def _fault(self, entry: LoggedRequest, fault: Fault, params: dict[str, str]) -> bool:
        """Answer as the fault says; False when the request then proceeds normally."""
        if fault.kind == "maxlag":
            lag = 7.2
            body = _error(
                "maxlag",
                f"Waiting for 10.64.16.8: {lag} seconds lagged.",
                host="10.64.16.8",
                lag=lag,
                type="db",
            )
            headers = {"Retry-After": str(fault.retry_after), "X-Database-Lag": str(int(lag))}
            self._send_json(entry, 200, body, headers)
        elif fault.kind == "5xx":
            self._send(entry, 503, ERROR_PAGE, "text/html; charset=utf-8")
        elif fault.kind == "slow":
            self.emulator._stopping.wait(fault.delay)
            return False
        elif fault.kind == "malformed":
            self._send(
                entry,
                200,
                b'{"batchcomplete":true,"query":{"pages":[{"pageid":',
                "application/json; charset=utf-8",
            )
        elif fault.kind == "html":
            self._send(entry, 200, ERROR_PAGE, "text/html; charset=utf-8")
        elif fault.kind == "missingtitle":
            self._send_json(
                entry, 200, _error("missingtitle", "The page you specified doesn't exist.")
            )
        elif fault.kind == "nosuchrevid":
            revid = params.get("oldid") or params.get("revids") or "0"
            self._send_json(
                entry, 200, _error("nosuchrevid", f"There is no revision with ID {revid}.")
            )
        return True

    def _send_json(
        self, entry: LoggedRequest, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(entry, status, data, "application/json; charset=utf-8", headers)

    def _send(
        self,
        entry: LoggedRequest,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        entry.status = status
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            data = gzip.compress(data, compresslevel=1)
            entry.content_encoding = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        # The client may have given up (a timeout): what it does next is what tests check.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)
