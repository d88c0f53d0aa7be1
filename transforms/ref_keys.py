"""ref_key: a reference's identity, which the article's renumbering does not move.

MediaWiki numbers references by first use, so one reference added in the lead renumbers every
later one. A key names the source instead, from the first of these the reference has:

- ``name:<name>``: the name of a named ref (``<ref name="…">``), read from the HTML's
  ``cite_note-<name>-<n>`` anchor (ingestion/html_text.py carries it; flattened text has none);
- ``doi:<doi>``: its DOI, lower-cased (DOIs are case-insensitive);
- ``isbn:<isbn-13>``: its ISBN, digits only, an ISBN-10 converted to its ISBN-13;
- ``url:<url>``: the URL of its first external link (HTML only), without scheme, ``www.``,
  trailing slash, fragment and tracking parameters, an archive copy's URL unwrapped to the
  original it archives;
- ``short:<surname>|<year>|<pages>``: a short citation ("Abrahamian 1989, p. 1");
- ``cite:<surname>|<title>|<year>``: the first author's surname, the title and the year,
  case-folded, accents and punctuation dropped;
- ``text:<words>``: failing all, the reference's own words, without its access and archive
  phrases; ``empty:`` for an entry with no text.

None of these reads an access date, an archive link or the citation's layout (CS1, CS2 or
hand-written), so editing those keeps the key. Two references of one revision that give the
same key (the same book cited at different pages as separate entries) are told apart by
``|p=<pages>``, then by ``|n=<k>`` in the order of the list (the first keeps the bare key):
see ``unique_keys``. docs/references.md is the user's description.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

# The anchor MediaWiki's Cite extension gives a reference list item (AnchorFormatter::
# getNoteIdentifier): "cite_note-<name>-<n>" for a named ref (white space and underscores in
# the name folded to one "_"), "cite_note-<n>" for an unnamed one; <n> counts every <ref> of
# the page, so it moves whenever one is added before it.
NOTE_ANCHOR_RE = re.compile(r"^cite_note-(?:(?P<name>.+)-)?(?P<id>\d+)$")
# The CSV separator of a key list may not appear inside a key.
KEY_UNSAFE = {";": "%3B"}
ISBN_10_RE = re.compile(r"^\d{9}[\dX]$")
ISBN_13_RE = re.compile(r"^97[89]\d{10}$")
DOI_RE = re.compile(r"^10\.\S+$")
DOI_TRAILING = ".,;:"
# web.archive.org/web/20171114172349/https://…, also with "id_" or "if_" flags after the time:
# the archived URL follows the timestamp, its scheme sometimes left out.
WAYBACK_RE = re.compile(
    r"^(?:https?:)?//(?:web\.|wayback\.)?archive\.org/web/\d{1,14}(?:[a-z]{2}_|\*)?/(?P<url>.+)$",
    re.I,
)
# Other web archives (the Library of Congress's, archive.today's, WebCite, national archives)
# write the original URL, scheme included, somewhere in the copy's path.
ARCHIVE_HOST_RE = re.compile(r"archive|webcitation|wayback", re.I)
EMBEDDED_URL_RE = re.compile(r"https?:/{1,2}[^/].*$", re.I)
# Query parameters that track the reader, not name the page.
TRACKING_PARAMETER_RE = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|cmpid|ocid|smid"
    r"|_ga|yclid|share|s_cid)$",
    re.I,
)
# Hosts whose links resolve an identifier (rendered after the title as "doi:", "JSTOR",
# "OCLC", …): never the citation's own URL.
IDENTIFIER_HOST_RE = re.compile(
    r"^(?:dx\.)?doi\.org$|^hdl\.handle\.net$|(?:^|\.)worldcat\.org$|^api\.semanticscholar\.org$"
    r"|^pubmed\.ncbi\.nlm\.nih\.gov$|^ui\.adsabs\.harvard\.edu$|^id\.loc\.gov$"
    r"|^search\.worldcat\.org$|^zbmath\.org$|^mathscinet\.ams\.org$|^arxiv\.org$"
    r"|^(?:www\.)?jstor\.org$|^(?:www\.)?ncbi\.nlm\.nih\.gov$|^portal\.issn\.org$"
)
# "Retrieved 29 June 2018", "Archived from the original on …", "Archived … at the Wayback
# Machine": what an access-date or archive edit adds or changes in the text.
ACCESS_PHRASE_RE = re.compile(
    r"(?:[Rr]etrieved|[Aa]ccessed)(?: on)?\s[^.,;]*?\d{4}"
    r"|[Aa]rchived(?: from the original)?(?: \(PDF\))?(?: on)?\s[^.,;]*?\d{4}"
    r"(?: at the Wayback Machine)?"
    r"|\[(?:permanent )?dead link\]|\(subscription required\)"
)
WORD_RE = re.compile(r"\w+")
# CS1's |trans-title= in brackets after the title: a translation added later, not the title.
TRANSLATED_TITLE_RE = re.compile(r"\s*\[[^\]]*\]")
AUTHOR_SPLIT_RE = re.compile(r";|&|\band\b|\bwith\b")
AUTHOR_NOISE_RE = re.compile(r"\bet al\b\.?|\(eds?\.?\)|\beds?\.$", re.I)
PAGE_WORD_RE = re.compile(r"^(?:pp?\.|pages?)\s*", re.I)
DASHES_RE = re.compile(r"\s*[–—−-]+\s*")
TEXT_KEY_MAX_CHARS = 80


def note_name(anchor_id: str | None) -> str | None:
    """The ref's name from its list item's ``id`` (``cite_note-Maloney-40`` → ``Maloney``);
    None for an unnamed ref or another id."""
    if not anchor_id:
        return None
    match = NOTE_ANCHOR_RE.match(anchor_id)
    return match["name"] if match and match["name"] else None


def normalise_doi(doi: str | None) -> str | None:
    if not doi:
        return None
    value = doi.strip().rstrip(DOI_TRAILING).lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        value = value.removeprefix(prefix)
    return value if DOI_RE.match(value) else None


def normalise_isbn(isbn: str | None) -> str | None:
    """Digits (and a final X) only, an ISBN-10 as its ISBN-13, so the two forms agree."""
    if not isbn:
        return None
    value = re.sub(r"[^\dXx]", "", isbn).upper()
    if ISBN_10_RE.match(value):
        core = "978" + value[:9]
        check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return value if ISBN_13_RE.match(value) else (value or None)


def unwrap_archive(url: str) -> str:
    """The original URL an archive copy's URL archives (repeatedly, for an archive of one);
    the URL itself when it is no archive copy or does not say what it archives."""
    for _ in range(3):
        original = _archived_url(url)
        if original is None:
            return url
        url = re.sub(r"^(https?):/(?!/)", r"\1://", original, flags=re.I)  # "http:/x" folded
    return url


def _archived_url(url: str) -> str | None:
    if (wayback := WAYBACK_RE.match(url)) is not None:
        return wayback["url"]
    scheme_end = url.find("//")
    rest = url[scheme_end + 2 :] if scheme_end >= 0 else url
    host, _, path = rest.partition("/")
    if not ARCHIVE_HOST_RE.search(host):
        return None
    embedded = EMBEDDED_URL_RE.search(path)
    return embedded.group(0) if embedded else None


def is_archive_url(url: str) -> bool:
    return unwrap_archive(url) != url


def normalise_url(url: str | None) -> str | None:
    """``nytimes.com/2003/06/18/world/x.html`` from ``https://www.nytimes.com/2003/06/18/
    world/x.html?utm_source=…#top``: what names the page, not how it was reached."""
    if not url:
        return None
    url = unwrap_archive(url.strip())
    if url.startswith("//"):
        url = "http:" + url
    elif "//" not in url:  # an archive's copy may name its original without the scheme
        url = "http://" + url
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if host.startswith("m.") and host.count(".") > 1:  # a mobile site's copy of the page
        host = host.removeprefix("m.")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = urlencode([(k, v) for k, v in query if not TRACKING_PARAMETER_RE.match(k)])
    # Percent-encoded and literal characters alike ("%D8%A8" is "ب"), one slash between parts.
    path = re.sub(r"/{2,}", "/", unquote(parts.path)).rstrip("/")
    value = host + path + (f"?{kept}" if kept else "")
    return value or None


def citation_url(links: Sequence[str]) -> str | None:
    """The citation's own URL among its external links, in order: the first that is not an
    identifier resolver (doi.org, JSTOR, WorldCat, …); an archive copy stands for its original
    when the citation links nothing else."""
    for link in links:
        original = unwrap_archive(link)
        host = (urlsplit(original if "//" in original else "//" + original).hostname or "").lower()
        if host and not IDENTIFIER_HOST_RE.search(host):
            return original
    return None


def _plain(text: str) -> str:
    """Case-folded words without accents or punctuation, one space apart."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("'", "").replace("’", "").replace("_", " ")
    return " ".join(WORD_RE.findall(stripped.casefold()))


def first_surname(authors: str | None) -> str:
    """The first credited author's surname, whether written "Abrahamian, Ervand" (CS1) or
    "Ervand Abrahamian" (by hand): the last word of the first name before any comma."""
    if not authors:
        return ""
    first = AUTHOR_SPLIT_RE.split(AUTHOR_NOISE_RE.sub("", authors), maxsplit=1)[0]
    name = first.split(",", 1)[0]
    words = _plain(name).split()
    return words[-1] if words else ""


def normalise_pages(pages: str | None) -> str:
    """ "p. 208" → 208, "pp. 73–74" → 73-74: the cited place, without its wording."""
    if not pages:
        return ""
    value = PAGE_WORD_RE.sub("", pages.strip()).rstrip(".")
    value = DASHES_RE.sub("-", value)
    return re.sub(r"\s+", "", value).casefold()


def _safe(key: str) -> str:
    for character, escaped in KEY_UNSAFE.items():
        key = key.replace(character, escaped)
    return key


def base_key(
    fields: dict, text: str = "", *, name: str | None = None, links: Sequence[str] = ()
) -> str:
    """A reference's key before disambiguation, from its parsed fields (transforms/
    references.py: ``parse_reference``), its text, its ref name and its external links."""
    if name:
        return _safe(f"name:{name}")
    if doi := normalise_doi(fields.get("doi")):
        return _safe(f"doi:{doi}")
    if isbn := normalise_isbn(fields.get("isbn")):
        return _safe(f"isbn:{isbn}")
    if url := normalise_url(citation_url(links)):
        return _safe(f"url:{url}")
    surname = first_surname(fields.get("authors"))
    year = fields.get("year")
    year_text = str(year) if year is not None else ""
    if fields.get("is_short_citation"):
        return _safe(f"short:{surname}|{year_text}|{normalise_pages(fields.get('pages'))}")
    title = _plain(TRANSLATED_TITLE_RE.sub("", fields.get("title") or ""))
    if title or (surname and year_text):
        return _safe(f"cite:{surname}|{title}|{year_text}")
    words = text_words(text)
    return _safe(f"text:{words}") if words else "empty:"


def text_words(text: str) -> str:
    """A reference's words for a key: without access and archive phrases, at most
    TEXT_KEY_MAX_CHARS characters (cut at a word)."""
    words = _plain(ACCESS_PHRASE_RE.sub(" ", text))
    if len(words) <= TEXT_KEY_MAX_CHARS:
        return words
    return words[:TEXT_KEY_MAX_CHARS].rsplit(" ", 1)[0]


def unique_keys(keys: Sequence[str], pages: Sequence[str | None]) -> list[str]:
    """The keys made unique within one revision, deterministically.

    Entries sharing a key are told apart by the pages they cite (``|p=208``; an entry citing
    no page keeps the bare key), and those still alike by their order in the list (``|n=2``
    for the second, the first unchanged). So renumbering, and adding a reference of another
    source anywhere, changes none of them.
    """
    counts = Counter(keys)
    qualified: list[str] = []
    for key, cited in zip(keys, pages, strict=True):
        place = normalise_pages(cited) if counts[key] > 1 else ""
        qualified.append(_safe(f"{key}|p={place}") if place else key)
    seen: defaultdict[str, int] = defaultdict(int)
    result = []
    for key in qualified:
        seen[key] += 1
        result.append(key if seen[key] == 1 else f"{key}|n={seen[key]}")
    # A qualified key may equal another entry's bare key only by a freak of the names
    # ("name:x|p=1" as a ref name); the order still settles it.
    return _settle(result)


def _settle(keys: list[str]) -> list[str]:
    taken: set[str] = set()
    settled = []
    for key in keys:
        candidate, extra = key, 1
        while candidate in taken:
            extra += 1
            candidate = f"{key}|n={extra}"
        taken.add(candidate)
        settled.append(candidate)
    return settled


def keys_for(numbers: Iterable[int], keys: dict[int, str]) -> list[str]:
    """The keys of the cited reference numbers, in order; a number the reference list does not
    hold (a dangling citation, reported as a finding) is ``missing:<n>``."""
    return [keys.get(int(n), f"missing:{int(n)}") for n in numbers]
