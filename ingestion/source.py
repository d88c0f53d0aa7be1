"""Read the article text from a path or an http(s) URL, decode it, checksum it."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mekdata import REPO_ROOT
from mekdata.errors import SourceError

if TYPE_CHECKING:
    # Only an annotation here; importing transforms imports pandas, 0.9 s of the CLI's
    # unchanged re-run (which reads BUNDLED_SOURCE and max_source_bytes from this module).
    from transforms.document import ReferenceAnchor

BUNDLED_SOURCE = REPO_ROOT / "sources" / "peoples-mujahedin-of-iran.txt"
BUNDLED_METADATA = REPO_ROOT / "sources" / "peoples-mujahedin-of-iran.json"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_BYTES_ENV = "MEKDATA_MAX_SOURCE_BYTES"
FETCH_TIMEOUT_ENV = "MEKDATA_FETCH_TIMEOUT"
DEFAULT_FETCH_TIMEOUT_S = 30.0
HTML_RE = re.compile(rb"^\s*(?:<!doctype html|<html\b|<head\b|<body\b)", re.I)
URL_RE = re.compile(r"^https?://", re.I)


@dataclass(frozen=True)
class SourceText:
    origin: str  # the path or URL as given
    text: str
    sha256: str  # of the bytes as read
    byte_count: int
    encoding: str
    http: dict[str, str] = field(default_factory=dict)  # ETag, Last-Modified when fetched
    # A Wikipedia revision's identity (ingestion/wikipedia.py: Revision.provenance), and the
    # HTML the API rendered, which the text was made from: both kept in the release.
    wikipedia: dict[str, Any] = field(default_factory=dict)
    html: str | None = None
    # What the HTML says of the reference list and the text cannot (ref names, links), by
    # line of ``text``: ref_key reads it (ingestion/html_text.py, transforms/ref_keys.py).
    reference_anchors: tuple[ReferenceAnchor, ...] = ()


def max_source_bytes() -> int:
    value = os.environ.get(MAX_BYTES_ENV)
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        return int(value)
    except ValueError as error:
        raise SourceError(
            f"{MAX_BYTES_ENV} must be a whole number of bytes, not {value!r}."
        ) from error


def is_url(source: str) -> bool:
    return bool(URL_RE.match(source))


def read_path(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    limit = max_source_bytes() if limit is None else limit
    location = Path(path)
    if not location.exists():
        raise SourceError(f"Source file {location} does not exist.")
    if location.is_dir():
        raise SourceError(f"Source {location} is a directory, not a text file.")
    size = location.stat().st_size
    if size > limit:
        raise SourceError(
            f"Source file {location} is {size:,} bytes, above the limit of {limit:,} bytes "
            f"(set {MAX_BYTES_ENV} to raise it)."
        )
    try:
        return location.read_bytes()
    except OSError as error:
        raise SourceError(f"Cannot read source file {location}: {error.strerror}.") from error


def decode(data: bytes, origin: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16/32; refuse anything else."""
    if not data.strip():
        raise SourceError(f"Source {origin} is empty: expected the article's plain text.")
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    encoding = next((name for bom, name in boms if data.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in data:
        raise SourceError(
            f"Source {origin} contains NUL bytes and no byte-order mark: it looks like binary "
            f"data or UTF-16 without a BOM, not the article's UTF-8 text."
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"Source {origin} is not valid {encoding.upper()} (byte {error.start}: "
            f"{data[error.start : error.start + 4]!r}); save it as UTF-8 and try again."
        ) from error
    if HTML_RE.match(text.lstrip("\ufeff").encode()):
        raise SourceError(
            f"Source {origin} is an HTML page; expected the article's plain text "
            f"(the bundled sources/ file shows the format)."
        )
    return text, encoding


def make_source(data: bytes, origin: str, http: dict[str, str] | None = None) -> SourceText:
    text, encoding = decode(data, origin)
    return SourceText(
        origin=origin,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        byte_count=len(data),
        encoding=encoding,
        http=http or {},
    )


class TransientFetchError(SourceError):
    """A failure worth retrying: timeout, connection error, 5xx."""


def fetch_timeout() -> float:
    value = os.environ.get(FETCH_TIMEOUT_ENV)
    if not value:
        return DEFAULT_FETCH_TIMEOUT_S
    try:
        return float(value)
    except ValueError as error:
        raise SourceError(
            f"{FETCH_TIMEOUT_ENV} must be a number of seconds, not {value!r}."
        ) from error


def fetch_url(
    url: str, timeout: float | None = None, limit: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """GET the URL; 4xx is final, 5xx and network trouble are transient (retried by the flow)."""
    # httpx costs 0.1 s at import, a sixth of the CLI's unchanged re-run, which imports this
    # module and fetches nothing.
    import httpx

    timeout = fetch_timeout() if timeout is None else timeout
    limit = max_source_bytes() if limit is None else limit
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if 400 <= response.status_code < 500:
                raise SourceError(
                    f"Source URL {url} answered HTTP {response.status_code} "
                    f"{response.reason_phrase}; check the address."
                )
            if response.status_code >= 500:
                raise TransientFetchError(
                    f"Source URL {url} answered HTTP {response.status_code} "
                    f"{response.reason_phrase}."
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise SourceError(
                    f"Source URL {url} is {int(declared):,} bytes, above the limit of "
                    f"{limit:,} bytes (set {MAX_BYTES_ENV} to raise it)."
                )
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > limit:
                    raise SourceError(
                        f"Source URL {url} sent more than the limit of {limit:,} bytes "
                        f"(set {MAX_BYTES_ENV} to raise it)."
                    )
                chunks.append(chunk)
            headers = {
                name: response.headers[name]
                for name in ("etag", "last-modified", "content-type")
                if name in response.headers
            }
            return b"".join(chunks), headers
    except httpx.TimeoutException as error:
        raise TransientFetchError(f"Source URL {url} timed out after {timeout:g} s.") from error
    except httpx.TransportError as error:
        raise TransientFetchError(f"Source URL {url} could not be reached: {error}.") from error
