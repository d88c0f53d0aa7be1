"""Read a revision of a Wikipedia article through the MediaWiki Action API, politely.

``wikipedia:<Title>[@<revid>]`` names the latest revision of a page, or a given one. Two
calls do the work: ``action=query&prop=revisions`` for the revision's identity (small, so an
unchanged article costs one cheap request) and ``action=parse&oldid=`` for the rendered HTML,
which alone carries the reference numbers the extractors need.

Etiquette (mediawiki.org, API:Etiquette and Manual:Maxlag parameter): a User-Agent naming the
project, its version and a contact; ``maxlag=5`` on every request, and a ``maxlag`` error
(HTTP 200, code ``maxlag``, a ``Retry-After`` header) waited out; one request at a time; gzip;
backoff on timeouts, connection errors and 5xx; and a total time budget, so a scheduled run
against a struggling wiki gives up with a clear message instead of hanging.

Imports only the standard library at module level, and httpx where a request is made: the CLI
parses every --source with this module and asks for the revision before it imports anything
heavy, and httpx (0.1 s at import) is a sixth of its unchanged re-run from a file, which asks
no wiki.
"""

from __future__ import annotations

import array
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, overload

from ingestion.source import SourceText
from mekdata import CONTENT_LICENCE, LIVE_ARTICLE, PROJECT, __version__
from mekdata.errors import SourceError

PREFIX = "wikipedia:"
DEFAULT_API = "https://en.wikipedia.org/w/api.php"
API_ENV = "MEKDATA_WIKI_API"
CONTACT_ENV = "MEKDATA_CONTACT"
BUDGET_ENV = "MEKDATA_WIKI_BUDGET"
DEFAULT_BUDGET_S = 120.0
REQUEST_TIMEOUT_S = 30.0
MAXLAG_S = 5  # what Wikimedia asks of background jobs
DEFAULT_RETRY_AFTER_S = 5.0  # when a maxlag answer names no Retry-After
MAX_ATTEMPTS = 6
MAX_RVLIMIT = 500  # revisions per listing answer without content (API:Revisions)
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
LIVE_SOURCE = f"{PREFIX}{LIVE_ARTICLE}"
SOURCE_RE = re.compile(r"^wikipedia:(?P<title>[^@]+?)(?:@(?P<revid>\S+))?$", re.S)
# Characters MediaWiki never allows in a title (Manual:Page title).
BAD_TITLE_RE = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f]")
# Codes of the answers that say the page or revision is not there (API:Errors and warnings).
MISSING_PAGE_CODES = frozenset({"missingtitle"})
MISSING_REVISION_CODES = frozenset({"nosuchrevid"})
HIDDEN_REVISION_CODES = frozenset({"permissiondenied", "texthidden"})
WIKIDATA_ITEM_RE = re.compile(r"Q[1-9]\d*")


@dataclass(frozen=True)
class WikiSource:
    """A parsed ``wikipedia:`` source: a title, and a revision id when pinned."""

    title: str
    revid: int | None = None

    @property
    def spec(self) -> str:
        return f"{PREFIX}{self.title}" + (f"@{self.revid}" if self.revid is not None else "")


@dataclass(frozen=True)
class Revision:
    """One revision as the API describes it; everything a release needs to cite it."""

    api_url: str
    title: str  # as resolved (after normalisation and redirects)
    requested_title: str
    redirected_from: str | None
    pageid: int
    revid: int
    parentid: int | None = None
    timestamp: str = ""
    sha1: str | None = None
    size: int | None = None
    # The page's own Wikidata item (its ``wikibase_item`` page property), when the wiki
    # links one: the subject of the release's Wikidata statements.
    wikibase_item: str | None = None

    @property
    def index_url(self) -> str:
        return index_url(self.api_url)

    @property
    def permalink(self) -> str:
        return f"{self.index_url}?oldid={self.revid}"

    @property
    def history_url(self) -> str:
        title = urllib.parse.quote(self.title.replace(" ", "_"), safe="")
        return f"{self.index_url}?title={title}&action=history"

    def provenance(self, fetched_at: str) -> dict[str, Any]:
        """The revision as recorded in source/metadata.json and the index entry."""
        return {
            **asdict(self),
            "permalink": self.permalink,
            "history": self.history_url,
            "fetched_at": fetched_at,
            "licence": CONTENT_LICENCE,
            "attribution": f'Text of the Wikipedia article "{self.title}" (revision '
            f"{self.revid} of {self.timestamp}) by Wikipedia contributors, licensed under "
            f"CC BY-SA 4.0; authors listed in the page history: {self.history_url}",
        }


# What a RevisionListing keeps once for the page (every revision in a listing shares it).
_PAGE_FIELDS = (
    "api_url",
    "title",
    "requested_title",
    "redirected_from",
    "pageid",
    "wikibase_item",
)
_ABSENT = -1  # no parent or no size: revids, parent ids and sizes are never negative


class _Texts:
    """Optional strings packed in one buffer (a Python str costs 50 bytes before its text)."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array.array("q")  # where each string ends in _data
        self._none = bytearray()  # 1 where the string is None

    def append(self, text: str | None) -> None:
        self._none.append(text is None)
        if text is not None:
            self._data += text.encode("utf-8")
        self._ends.append(len(self._data))

    def __getitem__(self, index: int) -> str | None:
        if self._none[index]:
            return None
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode("utf-8")


class RevisionListing(Sequence[Revision]):
    """A page's listed revisions, in order, held as columns: about 115 bytes a revision where
    Revision objects took about 300. A history run keeps its listing from start to end, and a
    listing can hold hundreds of thousands of revisions; as objects, the driver's memory grew
    with it. Reading an item makes its Revision, equal to the one appended."""

    def __init__(self, revisions: Iterable[Revision] = ()) -> None:
        self._page: tuple[Any, ...] | None = None
        self._revid = array.array("q")
        self._parentid = array.array("q")
        self._size = array.array("q")
        self._timestamp = _Texts()
        self._sha1 = _Texts()
        for revision in revisions:
            self.append(revision)

    def append(self, revision: Revision) -> None:
        page = tuple(getattr(revision, name) for name in _PAGE_FIELDS)
        if self._page is None:
            self._page = page
        elif page != self._page:
            raise ValueError(
                f"revision {revision.revid} is of {page[1]!r} ({page[0]}), not of the "
                f"listing's page {self._page[1]!r} ({self._page[0]})"
            )
        self._revid.append(revision.revid)
        self._parentid.append(_ABSENT if revision.parentid is None else revision.parentid)
        self._size.append(_ABSENT if revision.size is None else revision.size)
        self._timestamp.append(revision.timestamp)
        self._sha1.append(revision.sha1)

    def __len__(self) -> int:
        return len(self._revid)

    @overload
    def __getitem__(self, index: int) -> Revision: ...

    @overload
    def __getitem__(self, index: slice) -> RevisionListing: ...

    def __getitem__(self, index: int | slice) -> Revision | RevisionListing:
        if isinstance(index, slice):
            return RevisionListing(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"revision {index} of a listing of {len(self)}")
        assert self._page is not None
        parentid, size = self._parentid[index], self._size[index]
        return Revision(
            **dict(zip(_PAGE_FIELDS, self._page, strict=True)),
            revid=self._revid[index],
            parentid=None if parentid == _ABSENT else parentid,
            timestamp=self._timestamp[index] or "",
            sha1=self._sha1[index],
            size=None if size == _ABSENT else size,
        )

    @property
    def revids(self) -> array.array:
        return self._revid


def index_url(api: str) -> str:
    """index.php beside api.php (both live in the wiki's script path): where permalinks,
    diffs and the page history are."""
    parts = urllib.parse.urlsplit(api)
    path = parts.path.rsplit("/", 1)[0] + "/index.php"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_wikipedia(source: str | None) -> bool:
    return bool(source) and source.startswith(PREFIX)


def parse_source(source: str) -> WikiSource:
    """``wikipedia:People's_Mujahedin_of_Iran@123`` → title with spaces, revid 123."""
    match = SOURCE_RE.match(source.strip())
    if not match:
        raise SourceError(
            f"Source {source!r} is not of the form wikipedia:<Title> or "
            "wikipedia:<Title>@<revision id>, for example \"wikipedia:People's Mojahedin "
            'Organization of Iran".'
        )
    title = " ".join(match["title"].replace("_", " ").split())
    if not title or BAD_TITLE_RE.search(title):
        raise SourceError(
            f"Source {source!r} names no valid page title (titles cannot be empty or contain "
            "# < > [ ] | { } or control characters)."
        )
    revid = None
    if match["revid"] is not None:
        if not match["revid"].isdigit() or int(match["revid"]) == 0:
            raise SourceError(
                f"Source {source!r}: the revision after '@' must be a positive whole number "
                f"(a revid from the page history), not {match['revid']!r}."
            )
        revid = int(match["revid"])
    return WikiSource(title, revid)


def api_url(explicit: str | None = None) -> str:
    """--wiki-api, else MEKDATA_WIKI_API, else English Wikipedia."""
    url = explicit or os.environ.get(API_ENV) or DEFAULT_API
    if not re.match(r"^https?://[^/]+/", url):
        raise SourceError(
            f"Wiki API address {url!r} is not an http(s) URL of api.php "
            f"(for example {DEFAULT_API}); check --wiki-api or {API_ENV}."
        )
    return url


# Said in the User-Agent when no contact is configured: the project has no public address to
# offer in its place, and inventing one would send Wikipedia's operators nowhere.
NO_CONTACT = f"open-data pipeline; contact not configured, set {CONTACT_ENV}"


def user_agent() -> str:
    import httpx  # where a request is made (see the module docstring)

    contact = os.environ.get(CONTACT_ENV, "").strip()
    if not contact:
        _warn_no_contact()
    return f"{PROJECT}/{__version__} ({contact or NO_CONTACT}) httpx/{httpx.__version__}"


@functools.cache
def _warn_no_contact() -> None:
    logging.getLogger(__name__).warning(
        "%s is not set: requests to the wiki API carry no contact address. Wikimedia asks "
        "automated clients for one (an e-mail or a page you read); set it for scheduled runs.",
        CONTACT_ENV,
    )


def time_budget() -> float:
    value = os.environ.get(BUDGET_ENV)
    if not value:
        return DEFAULT_BUDGET_S
    try:
        budget = float(value)
    except ValueError:
        budget = -1.0
    if budget <= 0:
        raise SourceError(f"{BUDGET_ENV} must be a positive number of seconds, not {value!r}.")
    return budget


class _Retry(Exception):
    """One attempt failed in a way worth another after ``delay`` seconds."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class WikiClient:
    """A polite, strictly serial client of one wiki's Action API."""

    def __init__(
        self,
        url: str | None = None,
        budget: float | None = None,
        request_timeout: float = REQUEST_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx  # where a request is made (see the module docstring)

        self.api_url = api_url(url)
        self.budget = time_budget() if budget is None else budget
        self.request_timeout = request_timeout
        self._sleep = sleep
        self._deadline = time.monotonic() + self.budget
        # One request at a time, whatever calls us (API:Etiquette: no parallel requests).
        self._lock = threading.Lock()
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(), "Accept-Encoding": "gzip"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def restart_budget(self) -> None:
        """Give the next requests a whole budget again. A run of one page spends one budget;
        a history spends one per revision it fetches, or a long history could never finish
        (thousands of serial requests take far longer than any one budget)."""
        self._deadline = time.monotonic() + self.budget

    def __enter__(self) -> WikiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the two calls -------------------------------------------------------------------

    def revision(self, source: WikiSource) -> Revision:
        """The latest (or the pinned) revision's identity: one small request."""
        params = {
            "action": "query",
            "prop": "revisions|pageprops",
            "rvprop": "ids|timestamp|sha1|size",
            "ppprop": "wikibase_item",
        }
        if source.revid is not None:
            params["revids"] = str(source.revid)
        else:
            params |= {"titles": source.title, "redirects": "1"}
        answer = self.call(params)
        query = answer.get("query")
        if not isinstance(query, dict):
            raise self._unexpected(params, "no 'query' object in the answer")
        if source.revid is not None and query.get("badrevids"):
            raise SourceError(
                f"Revision {source.revid} does not exist on {self.api_url} (the API lists it "
                "under badrevids): it was never made or has been deleted. Pick a revision id "
                f'from the page history, or drop "@{source.revid}" to read the latest revision.'
            )
        page = self._page(params, query, source.title)
        revisions = page.get("revisions") or []
        if not revisions:
            raise self._unexpected(params, f"no revisions for page {page.get('title')!r}")
        latest = revisions[0]
        if latest.get("texthidden") or latest.get("sha1hidden"):
            raise self._hidden(latest.get("revid", source.revid), page.get("title"))
        if source.revid is not None:
            self._check_page_of_revision(source, page)
        return self._revision(params, source, query, page, latest)

    def _page(self, params: dict[str, str], query: dict, title: str) -> dict:
        """The one page a title query answers with; a missing or invalid title is the user's
        error, no page at all is the API's."""
        pages = query.get("pages") or []
        if not pages:
            raise self._unexpected(params, "no pages in the answer")
        page = pages[0]
        if page.get("missing") or page.get("invalid"):
            raise SourceError(
                f'The page "{page.get("title", title)}" does not exist on '
                f"{self.api_url} ({page.get('invalidreason', 'missing')}): check the title's "
                "spelling (the API follows redirects, so an old title of the article works)."
            )
        return page

    def _revision(
        self, params: dict[str, str], source: WikiSource, query: dict, page: dict, entry: dict
    ) -> Revision:
        """A Revision from a formatversion=2 page and one of its revision entries. A
        revision-deleted entry has no sha1: it is kept (fetching it fails, and a history run
        records that) rather than silently dropped."""
        redirects = query.get("redirects") or []
        try:
            return Revision(
                api_url=self.api_url,
                title=page["title"],
                requested_title=source.title,
                redirected_from=redirects[0]["from"] if redirects else None,
                pageid=int(page["pageid"]),
                revid=int(entry["revid"]),
                parentid=int(entry["parentid"]) if entry.get("parentid") else None,
                timestamp=str(entry["timestamp"]),
                sha1=entry.get("sha1"),
                size=entry.get("size"),
                wikibase_item=_wikibase_item(page),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise self._unexpected(params, f"revision without {error}") from None

    def _check_page_of_revision(self, source: WikiSource, page: dict) -> None:
        """A pinned revision must belong to the page the source names: ``revids=`` cannot be
        combined with ``titles=``, so the title is resolved (redirects followed) by a second
        small request and the page ids compared (a page id survives renames)."""
        params = {"action": "query", "prop": "revisions", "rvprop": "ids", "titles": source.title}
        params["redirects"] = "1"
        pages = (self.call(params).get("query") or {}).get("pages") or []
        named = pages[0] if pages else {}
        if named.get("missing") or named.get("invalid") or not pages:
            raise SourceError(
                f'The page "{source.title}" does not exist on {self.api_url}, so revision '
                f"{source.revid} cannot be read as a revision of it: check the title's spelling."
            )
        if named.get("pageid") != page.get("pageid"):
            raise SourceError(
                f'Revision {source.revid} belongs to the page "{page.get("title")}", not to '
                f'"{named.get("title", source.title)}" on {self.api_url}: the revision id and the '
                "title name different articles. Take the id from the named page's history."
            )

    def revisions(
        self,
        source: WikiSource,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Revision]:
        """Every revision of the page, oldest first, as identities without content.

        ``prop=revisions`` with ``rvlimit=max`` (500 per answer without content) and
        ``rvdir=newer``, following ``continue`` until the listing ends, so thousands of
        revisions cost a handful of small requests. ``since``/``until`` (ISO dates or
        timestamps, UTC) become ``rvstart``/``rvend``; a bare ``until`` date includes that whole
        day. ``limit`` stops after that many revisions. A generator: the caller can stream.
        """
        if limit is not None and limit <= 0:
            raise SourceError(f"The revision limit must be a positive number, not {limit}.")
        params = {
            "action": "query",
            "prop": "revisions",
            "rvprop": "ids|timestamp|sha1|size",
            "rvdir": "newer",
            "rvlimit": "max" if limit is None or limit > MAX_RVLIMIT else str(limit),
            "titles": source.title,
            "redirects": "1",
        }
        if since is not None:
            params["rvstart"] = api_timestamp(since, end_of_day=False)
        if until is not None:
            params["rvend"] = api_timestamp(until, end_of_day=True)
        if "rvstart" in params and "rvend" in params and params["rvstart"] > params["rvend"]:
            raise SourceError(
                f"--since {since} is after --until {until}: no revision can lie between them."
            )
        seen = 0
        continuation: dict[str, str] = {}
        while True:
            answer = self.call({**params, **continuation})
            query = answer.get("query")
            if not isinstance(query, dict):
                raise self._unexpected(params, "no 'query' object in the answer")
            page = self._page(params, query, source.title)
            for entry in page.get("revisions") or []:
                yield self._revision(params, source, query, page, entry)
                seen += 1
                if limit is not None and seen >= limit:
                    return
            following = answer.get("continue")
            if not isinstance(following, dict) or not following:
                return
            continuation = {str(k): str(v) for k, v in following.items()}

    def parse_html(self, revision: Revision) -> str:
        """The revision rendered by the wiki (``parse.text``)."""
        params = {
            "action": "parse",
            "oldid": str(revision.revid),
            "prop": "text|revid|displaytitle",
        }
        answer = self.call(params)
        parsed = answer.get("parse")
        if not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
            raise self._unexpected(params, "no parse.text in the answer")
        if parsed.get("revid") not in (None, revision.revid):
            raise self._unexpected(
                params, f"asked for revision {revision.revid}, got {parsed.get('revid')}"
            )
        return parsed["text"]

    # --- one request, with the etiquette --------------------------------------------------

    def call(self, params: dict[str, str]) -> dict[str, Any]:
        """GET api.php with ``params`` until it answers, retrying what may heal by itself,
        within the budget. API errors other than maxlag raise a SourceError at once."""
        full = {**params, "format": "json", "formatversion": "2", "maxlag": str(MAXLAG_S)}
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(full)
            except _Retry as retry:
                delay = (
                    retry.delay
                    if retry.delay is not None
                    else min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
                )
                if attempt >= MAX_ATTEMPTS:
                    raise SourceError(
                        f"The wiki API at {self.api_url} failed {attempt} times in a row "
                        f"(last: {retry.reason}); nothing was published. Try again later."
                    ) from None
                if time.monotonic() + delay >= self._deadline:
                    raise self._out_of_time(retry.reason) from None
                self._sleep(delay)

    def _attempt(self, params: dict[str, str]) -> dict[str, Any]:
        import httpx  # where a request is made (see the module docstring)

        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._out_of_time("the budget was spent before this request")
        with self._lock:
            try:
                response = self._http.get(
                    self.api_url, params=params, timeout=min(self.request_timeout, remaining)
                )
            except httpx.TimeoutException:
                if time.monotonic() >= self._deadline - 0.01:
                    raise self._out_of_time("the last request timed out") from None
                raise _Retry("a request timed out") from None
            except httpx.TransportError as error:
                raise _Retry(f"the connection failed ({error})") from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise _Retry(f"HTTP {status}", _retry_after(response))
        if status >= 400:
            raise SourceError(
                f"The wiki API at {self.api_url} answered HTTP {status} "
                f"{response.reason_phrase}: check --wiki-api or {API_ENV} (it should be the "
                "address of api.php)."
            )
        try:
            answer = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not isinstance(answer, dict):
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise SourceError(
                f"The wiki API at {self.api_url} answered with something that is not its JSON "
                f"(HTTP {status}, {kind}, starting {response.text[:60]!r}): an error page, a "
                f"proxy or a truncated answer. Check --wiki-api or {API_ENV}; if it is right, "
                "try again later."
            )
        error = answer.get("error")
        if isinstance(error, dict):
            code = str(error.get("code", ""))
            if code == "maxlag":
                raise _Retry(
                    f"the wiki's databases lag ({error.get('lag', '?')} s)",
                    _retry_after(response) or DEFAULT_RETRY_AFTER_S,
                )
            raise self._api_error(code, str(error.get("info", "")), params)
        return answer

    # --- errors as a user reads them ------------------------------------------------------

    def _api_error(self, code: str, info: str, params: dict[str, str]) -> SourceError:
        revid = params.get("oldid") or params.get("revids")
        if code in MISSING_PAGE_CODES:
            return SourceError(
                f"The page {params.get('page') or params.get('titles')!r} does not exist on "
                f"{self.api_url} ({code}: {info}); check the title's spelling."
            )
        if code in MISSING_REVISION_CODES:
            return SourceError(
                f"Revision {revid} does not exist on {self.api_url} ({code}: {info}): it was "
                "never made or has been deleted. Pick a revision id from the page history, or "
                "drop '@<revid>' to read the latest revision."
            )
        if code in HIDDEN_REVISION_CODES:
            return self._hidden(revid, None, f"{code}: {info}")
        return SourceError(
            f"The wiki API at {self.api_url} refused the {params.get('action')} request "
            f"({code}: {info}); nothing was published."
        )

    def _hidden(self, revid: Any, title: str | None, detail: str = "") -> SourceError:
        where = f' of "{title}"' if title else ""
        return SourceError(
            f"Revision {revid}{where} on {self.api_url} has been deleted from public view "
            f"(revision deletion{'; ' + detail if detail else ''}): its text cannot be read. "
            "Pick another revision from the page history."
        )

    def _unexpected(self, params: dict[str, str], what: str) -> SourceError:
        return SourceError(
            f"The wiki API at {self.api_url} gave an answer of an unexpected shape to the "
            f"{params.get('action')} request ({what}); is it a MediaWiki Action API "
            "(formatversion=2)?"
        )

    def _out_of_time(self, reason: str) -> SourceError:
        return SourceError(
            f"The wiki API at {self.api_url} did not answer within the time budget of "
            f"{self.budget:g} s ({reason}); nothing was published. Raise {BUDGET_ENV} or try "
            "again later."
        )


def _wikibase_item(page: dict) -> str | None:
    """The page's Wikidata item from ``prop=pageprops``; None when the wiki links none (the
    API then leaves ``pageprops`` out) or the value is not an item id."""
    item = (page.get("pageprops") or {}).get("wikibase_item")
    return item if isinstance(item, str) and WIKIDATA_ITEM_RE.fullmatch(item) else None


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def api_timestamp(value: str, end_of_day: bool) -> str:
    """``2024-01-31`` or an ISO timestamp → the API's ``2024-01-31T00:00:00Z`` (UTC).

    A bare date as an end bound means the end of that day, so ``--until 2024-01-31`` includes
    the revisions of the 31st.
    """
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
            moment = day + dt.timedelta(days=1, seconds=-1) if end_of_day else day
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
    except ValueError:
        raise SourceError(
            f"{value!r} is not a date: give --since/--until as YYYY-MM-DD or an ISO timestamp "
            "such as 2024-01-31T12:00:00Z (UTC)."
        ) from None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def revision_text(revision: Revision, html: str, fetched_at: str | None = None):
    """The rendered revision as the SourceText the extractors read, with its provenance.

    A page with none of the article's structures (no infobox, no wikitable, no reference list)
    is refused here: it is not the article (a disambiguation page, a stub, a vandalised
    revision), and a release built from it would be empty tables that pass for data.
    """
    # lxml, and pandas through transforms (0.9 s): the CLI imports this module, never renders.
    from ingestion.html_text import html_to_text

    rendered = html_to_text(html)
    if not (rendered.infoboxes or rendered.wikitables or rendered.reference_items):
        raise SourceError(
            f'Revision {revision.revid} of "{revision.title}" ({revision.permalink}) has none '
            "of the tables the datasets are read from: no infobox, no wikitable and no "
            "reference list. It is not the article (a stub, a disambiguation page or a "
            "blanked revision?); nothing was published."
        )
    data = rendered.text.encode("utf-8")
    provenance = revision.provenance(fetched_at or now_iso())
    provenance["html_sha256"] = hashlib.sha256(html.encode("utf-8")).hexdigest()
    provenance["rendered"] = {
        "infoboxes": rendered.infoboxes,
        "wikitables": rendered.wikitables,
        "reference_items": rendered.reference_items,
        "headings": rendered.headings,
    }
    return SourceText(
        origin=f"{PREFIX}{revision.title}@{revision.revid}",
        text=rendered.text,
        sha256=hashlib.sha256(data).hexdigest(),
        byte_count=len(data),
        encoding="utf-8",
        wikipedia=provenance,
        html=html,
        reference_anchors=rendered.reference_anchors,
    )
