"""What ``--source`` names, parsed once: the bundled copy, a file, an http(s) URL, or a page of a
wiki (``wikipedia:<Title>[@<revid>]``).

The command line and the flows parse the text at their boundary and hand the typed value down;
``str()`` gives the text back as given, so that Prefect's flow parameters and the provenance
records carry the same text as before. Standard library only (and the wiki client's parser,
itself light): the CLI parses before it imports anything heavy.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ingestion.source import BUNDLED_SOURCE, URL_RE
from ingestion.wikipedia import PREFIX, WikiSource, parse_source
from mekdata.errors import SourceError

# A scheme such as ftp:// or file://: an address we cannot read, rather than a file name.
OTHER_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class SourceKind(StrEnum):
    BUNDLED = "bundled"  # no --source: the copy in sources/, no network
    PATH = "path"
    URL = "url"
    WIKIPEDIA = "wikipedia"


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source. ``location`` is the path or URL as given (the bundled file's path for
    the bundled copy); ``wiki`` the page and pinned revision of a ``wikipedia:`` source. Equal
    specs name the same source, whatever spelling ``text`` kept."""

    kind: SourceKind
    location: str = ""
    wiki: WikiSource | None = None
    text: str = field(default="", compare=False)  # as given; "" for the bundled copy

    @classmethod
    def parse(cls, text: str | None) -> SourceSpec:
        """Refuse what can name no source, with a message saying what would; a file that
        does not exist (yet) is the reader's to report."""
        if not text:
            return cls(SourceKind.BUNDLED, str(BUNDLED_SOURCE))
        if not text.strip():
            raise SourceError(
                f"Source {text!r} is blank: give a path, an http(s) URL or "
                "wikipedia:<Title>, or leave --source out for the bundled copy."
            )
        if text.startswith(PREFIX):
            return cls(SourceKind.WIKIPEDIA, wiki=parse_source(text), text=text)
        if URL_RE.match(text):
            if not urllib.parse.urlsplit(text).hostname:
                raise SourceError(f"Source URL {text!r} names no host.")
            return cls(SourceKind.URL, text, text=text)
        if OTHER_SCHEME_RE.match(text):
            raise SourceError(
                f"Source {text!r}: only http(s) URLs are read; for another location, "
                "download the file and give its path."
            )
        return cls(SourceKind.PATH, text, text=text)

    def __str__(self) -> str:
        return self.text

    @property
    def parameter(self) -> str | None:
        """As a flow parameter: None for the bundled copy, as before there was a spec."""
        return self.text or None

    @property
    def is_wikipedia(self) -> bool:
        return self.kind is SourceKind.WIKIPEDIA

    @property
    def is_url(self) -> bool:
        return self.kind is SourceKind.URL

    @property
    def is_file(self) -> bool:
        return self.kind in (SourceKind.BUNDLED, SourceKind.PATH)

    @property
    def path(self) -> Path:
        if not self.is_file:
            raise ValueError(f"{self.kind} source {self.text!r} is not a file")
        return Path(self.location)

    def history_page(self) -> WikiSource:
        """The page whose revisions a history reads: a wiki page, not one pinned revision."""
        if self.wiki is None:
            raise SourceError(
                f"--source {self.text!r}: a history is read from a wiki, so the source must "
                "be wikipedia:<Title>, for example \"wikipedia:People's Mojahedin "
                'Organization of Iran".'
            )
        if self.wiki.revid is not None:
            raise SourceError(
                f"--source {self.text!r} pins one revision; a history reads a range of them. "
                "Drop '@<revid>' and choose the range with --since, --until and --limit."
            )
        return self.wiki
