"""index.html at the output root: every version on one page, readable without the README.

``render_catalog`` is a pure function from the index data (``index.json``, and
``history/index.json`` once history releases exist) to HTML; storage/catalog.py reads those
files and writes the page inside the publisher's lock, so the page always lists what the
index lists.

The page works from ``file://`` and any static host: every link to a file of the output is
relative, nothing is loaded from elsewhere, it has no JavaScript, and every value from the
index is escaped (an origin or a file name is data, never markup).

Standard library only: the CLI's "unchanged" shortcut uses it before importing anything heavy.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from mekdata import CONTENT_LICENCE
from mekdata.layout import (
    CHANGES_FILE,
    DATA_DOCS_DIR,
    DATAPACKAGE_FILE,
    DUCKDB_FILE,
    EXPORT_FILES,
    FTM_FILE,
    HISTORY_DIR,
    INDEX_FILE,
    LATEST_FILE,
    QS_FILE,
    RELEASES_DIR,
    REPORT_FILE,
    SOURCE_DIR,
    SOURCE_METADATA,
    SUMS_FILE,
)
from pages.catalog_entries import DEFAULT_ATTRIBUTION

DEFAULT_LICENCE = CONTENT_LICENCE
# Files a reader looks for first; the rest of a release is listed after them.
KEY_FILES = (
    REPORT_FILE,
    CHANGES_FILE,
    DUCKDB_FILE,
    *EXPORT_FILES,
    DATAPACKAGE_FILE,
    SUMS_FILE,
)
# Folders whose many files are folded away under one summary line (still every one listed).
FOLDED_DIRS = (DATA_DOCS_DIR, SOURCE_DIR)
SECTION_IDS = {"release": "releases", "history": "history"}
SAFE_ID_RE = re.compile(r"[^A-Za-z0-9._-]")

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 78rem; color: #1f2328;
       line-height: 1.45; padding: 0 1rem; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid
#d0d7de; } h3 { margin-top: 1.75rem; }
table { border-collapse: collapse; margin: 0.75rem 0; font-size: 0.88rem; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f3f6; } tbody tr:nth-child(even) { background: #f8fafc; }
td.num { text-align: right; white-space: nowrap; }
code, .sha { font-family: ui-monospace, monospace; font-size: 0.82rem; }
.sha { word-break: break-all; color: #57606a; }
.passed { color: #1a7f37; font-weight: 600; } .failed { color: #b42318; font-weight: 600; }
.muted { color: #57606a; } dl { display: grid; grid-template-columns: max-content 1fr;
gap: 0.2rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
pre { background: #f6f8fa; padding: 0.6rem 0.8rem; overflow-x: auto; }
details { margin: 0.5rem 0; } summary { cursor: pointer; }
nav a { margin-right: 1rem; }
"""


# --- rendering --------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _href(relative: str) -> str:
    """A relative link to a file of the output, percent-encoded and escaped."""
    return _e(urllib.parse.quote(relative, safe="/._-~"))


def _external(url: Any, text: Any | None = None) -> str:
    """A link to the web for http(s) URLs only; anything else is shown as plain text."""
    url = "" if url is None else str(url)
    label = _e(text if text is not None else url)
    if urllib.parse.urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{_e(url)}" rel="noreferrer">{label}</a>'
    return label


def anchor(kind: str, version: str) -> str:
    return f"{kind}-{SAFE_ID_RE.sub('_', version)}"


def human_size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _date(published_at: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(published_at))
    except ValueError:
        return _e(published_at)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return _e(moment.strftime("%Y-%m-%d %H:%M UTC" if moment.tzinfo else "%Y-%m-%d %H:%M"))


def _files(entry: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(f.get("path")): f for f in entry.get("files") or []}


def _source_html(entry: Mapping[str, Any], folder: str) -> str:
    """Where the text came from: a Wikipedia revision, a URL, or a file (with its copy)."""
    origin = str(entry.get("source_origin") or "")
    parts = []
    # storage/publish.py records a revision under "wikipedia"; flat fields are read too.
    revision = {**entry, **(entry.get("wikipedia") or {})}
    # A history release (storage/history_publish.py) read a range of revisions.
    revisions = (entry.get("run") or {}).get("source") or {}
    if revisions.get("title"):
        label = (
            f"Wikipedia “{revisions['title']}”, revisions {revisions.get('first_revid')} "
            f"to {revisions.get('last_revid')}"
        )
        parts.append(_external(revisions.get("history"), label))
    elif revision.get("permalink") or revision.get("revid"):
        label = f"Wikipedia revision {revision.get('revid', '')}".strip()
        if revision.get("title"):
            label += f" of “{revision['title']}”"
        if revision.get("wiki"):
            label += f" ({revision['wiki']})"
        parts.append(
            _external(revision["permalink"], label) if revision.get("permalink") else _e(label)
        )
    elif re.match(r"^https?://", origin, re.I):
        parts.append("URL " + _external(origin))
    elif origin:
        parts.append(f"file <code>{_e(PurePosixPath(origin.replace(chr(92), '/')).name)}</code>")
    else:
        parts.append('<span class="muted">not recorded</span>')
    if entry.get("source_url") and entry.get("source_url") != origin:
        title = entry.get("source_title") or entry["source_url"]
        parts.append("copy of " + _external(entry["source_url"], title))
    copies = [
        path
        for path in _files(entry)
        if path.startswith(f"{SOURCE_DIR}/") and not path.endswith(SOURCE_METADATA)
    ]
    if copies:
        parts.append(
            f'<a href="{_href(f"{folder}/{copies[0]}")}">the text as read</a>'
            + (
                f', <a href="{_href(f"{folder}/{SOURCE_DIR}/{SOURCE_METADATA}")}">metadata</a>'
                if f"{SOURCE_DIR}/{SOURCE_METADATA}" in _files(entry)
                else ""
            )
        )
    return "; ".join(parts)


def _verdict_html(entry: Mapping[str, Any]) -> str:
    summary = entry.get("validation")
    if not summary:
        return '<span class="muted">not recorded</span>'
    word = "passed" if summary.get("success") else "failed"
    detail = ""
    if summary.get("suites"):
        detail = (
            f" ({summary.get('successful', 0)}/{summary.get('evaluated', 0)} expectations, "
            f"{summary['suites']} suites)"
        )
    return f'<span class="{word}">{word}</span>{_e(detail)}'


def _changes_line(entry: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str:
    """Row counts with the changes against the previous version, as one line."""
    counts = entry.get("row_counts") or {}
    changes = entry.get("changes") or {}
    per_table = changes.get("tables") or {}
    before = (previous or {}).get("row_counts") or {}
    pieces = []
    for name, rows in counts.items():
        delta = per_table.get(name)
        if previous is None and not changes.get("previous_version"):
            note = ""
        elif delta is not None:
            marks = [
                f"+{delta['added']}" if delta.get("added") else "",
                f"−{delta['removed']}" if delta.get("removed") else "",
                f"~{delta['changed']}" if delta.get("changed") else "",
            ]
            note = " ".join(m for m in marks if m)
        elif name in before and before[name] != rows:
            note = f"was {before[name]}"
        else:
            note = ""
        pieces.append(f"<code>{_e(name)}</code> {_e(rows)}" + (f" ({_e(note)})" if note else ""))
    return " · ".join(pieces)


def _changes_text(entry: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str:
    changes = entry.get("changes") or {}
    against = changes.get("previous_version") or (previous or {}).get("version")
    if not against:
        return "first release: every row is new"
    tables = (changes.get("tables") or {}).values()
    if not changes:
        return f"against {_e(against)}: row counts only (no change summary recorded)"
    added = sum(t.get("added", 0) for t in tables)
    removed = sum(t.get("removed", 0) for t in tables)
    changed = sum(t.get("changed", 0) for t in tables)
    return f"against {_e(against)}: {added} rows added, {removed} removed, {changed} changed"


def _link_if(files: Mapping[str, Any], folder: str, path: str, label: str) -> str | None:
    if path not in files:
        return None
    return f'<a href="{_href(f"{folder}/{path}")}">{_e(label)}</a>'


def _open_links(entry: Mapping[str, Any], folder: str) -> list[str]:
    files = _files(entry)
    links = [
        _link_if(files, folder, REPORT_FILE, "report"),
        _link_if(files, folder, f"{DATA_DOCS_DIR}/index.html", "Data Docs"),
        _link_if(files, folder, CHANGES_FILE, CHANGES_FILE),
        _link_if(files, folder, DUCKDB_FILE, DUCKDB_FILE),
        _link_if(files, folder, FTM_FILE, "FollowTheMoney entities"),
        _link_if(files, folder, QS_FILE, "Wikidata QuickStatements"),
        _link_if(files, folder, DATAPACKAGE_FILE, DATAPACKAGE_FILE),
        _link_if(files, folder, SUMS_FILE, SUMS_FILE),
    ]
    return [link for link in links if link]


def _file_rows(files: list[Mapping[str, Any]], folder: str) -> str:
    rows = []
    for f in files:
        path = str(f.get("path"))
        size = int(f.get("bytes") or 0)
        rows.append(
            f'<tr><td><a href="{_href(f"{folder}/{path}")}">{_e(path)}</a></td>'
            f'<td class="num" title="{size} bytes">{_e(human_size(size))}</td>'
            f'<td class="sha">{_e(f.get("sha256"))}</td></tr>'
        )
    return "".join(rows)


def _files_html(entry: Mapping[str, Any], folder: str) -> str:
    files = list(entry.get("files") or [])

    def order(f: Mapping[str, Any]) -> tuple[int, str]:
        path = str(f.get("path"))
        return (KEY_FILES.index(path) if path in KEY_FILES else len(KEY_FILES), path)

    head = "<tr><th>file</th><th>size</th><th>sha256</th></tr>"
    main = sorted(
        (f for f in files if str(f.get("path")).split("/")[0] not in FOLDED_DIRS), key=order
    )
    parts = [
        f'<table class="files"><thead>{head}</thead><tbody>{_file_rows(main, folder)}'
        "</tbody></table>"
    ]
    for directory in FOLDED_DIRS:
        inside = [f for f in files if str(f.get("path")).split("/")[0] == directory]
        if not inside:
            continue
        total = sum(int(f.get("bytes") or 0) for f in inside)
        parts.append(
            f"<details><summary><code>{_e(directory)}/</code>: {len(inside)} files, "
            f"{_e(human_size(total))}</summary>"
            f'<table class="files"><thead>{head}</thead><tbody>{_file_rows(inside, folder)}'
            "</tbody></table></details>"
        )
    return "".join(parts)


def _summary_table(kind: str, versions: list[Mapping[str, Any]], root: str) -> str:
    rows = []
    for position in range(len(versions) - 1, -1, -1):
        entry = versions[position]
        previous = versions[position - 1] if position else None
        version = str(entry.get("version"))
        folder = f"{root}/{version}"
        links = " · ".join(_open_links(entry, folder))
        rows.append(
            "<tr>"
            f'<td><a href="#{_e(anchor(kind, version))}"><strong>{_e(version)}</strong></a>'
            f'<br><code class="muted">{_e(folder)}/</code></td>'
            f"<td>{_date(entry.get('published_at'))}</td>"
            f"<td>{_source_html(entry, folder)}</td>"
            f"<td>{_e(entry.get('schema_version', ''))}</td>"
            f"<td>{_verdict_html(entry)}</td>"
            f"<td>{_changes_line(entry, previous)}<br>"
            f'<span class="muted">{_changes_text(entry, previous)}</span></td>'
            f"<td>{links}</td>"
            "</tr>"
        )
    return (
        f'<table class="versions" id="{_e(kind)}-table"><thead><tr><th>version</th>'
        "<th>published</th><th>source</th><th>schema</th><th>validation</th>"
        "<th>rows (changes: +added −removed ~changed)</th><th>open</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _version_section(
    kind: str, entry: Mapping[str, Any], previous: Mapping[str, Any] | None, root: str
) -> str:
    version = str(entry.get("version"))
    folder = f"{root}/{version}"
    files = _files(entry)
    changes_link = _link_if(files, folder, CHANGES_FILE, f"full change list ({CHANGES_FILE})")
    details = [
        ("published", _date(entry.get("published_at"))),
        ("source", _source_html(entry, folder)),
        ("source sha256", f'<span class="sha">{_e(entry.get("source_sha256", ""))}</span>'),
        ("schema version", _e(entry.get("schema_version", ""))),
        ("validation", _verdict_html(entry)),
        ("rows", _changes_line(entry, previous)),
        (
            "changes",
            _changes_text(entry, previous) + (f" — {changes_link}" if changes_link else ""),
        ),
        ("open", " · ".join(_open_links(entry, folder))),
        ("attribution", _e(entry.get("attribution") or DEFAULT_ATTRIBUTION)),
    ]
    if entry.get("content_hash"):
        details.append(("content hash", f'<span class="sha">{_e(entry["content_hash"])}</span>'))
    rows = "".join(f"<dt>{_e(term)}</dt><dd>{value}</dd>" for term, value in details)
    return (
        f'<section id="{_e(anchor(kind, version))}"><h3>{_e(kind.title())} {_e(version)}</h3>'
        f"<dl>{rows}</dl>{_files_html(entry, folder)}</section>"
    )


def _kind_section(kind: str, title: str, index: Mapping[str, Any], root: str) -> str:
    versions = list(index.get("versions") or [])
    section_id = SECTION_IDS[kind]
    if not versions:
        return f'<section id="{section_id}"><h2>{_e(title)}</h2><p>None yet.</p></section>'
    sections = [
        _version_section(kind, versions[i], versions[i - 1] if i else None, root)
        for i in range(len(versions) - 1, -1, -1)
    ]
    return (
        f'<section id="{section_id}"><h2>{_e(title)}</h2>'
        f"<p>{len(versions)} version{'s' if len(versions) != 1 else ''}, newest first. "
        f"Each folder is immutable once published.</p>"
        f"{_summary_table(kind, versions, root)}{''.join(sections)}</section>"
    )


def render_catalog(
    releases: Mapping[str, Any],
    history: Mapping[str, Any] | None = None,
    licence: Mapping[str, Any] | None = None,
) -> str:
    """The catalog page for the data of ``index.json`` (and ``history/index.json``)."""
    licence = licence or DEFAULT_LICENCE
    versions = list(releases.get("versions") or [])
    history_versions = list((history or {}).get("versions") or [])
    latest = versions[-1] if versions else None
    if latest:
        version = str(latest.get("version"))
        intro = (
            f'Latest release: <a href="#{_e(anchor("release", version))}">{_e(version)}</a>, '
            f"published {_date(latest.get('published_at'))}, in "
            f"folder <code>{_e(RELEASES_DIR)}/{_e(version)}/</code>."
        )
    else:
        intro = "No release has been published here yet."
    example = str(latest.get("version")) if latest else "VERSION"
    nav = ['<a href="#releases">Releases</a>']
    if history_versions:
        nav.append('<a href="#history">History releases</a>')
    nav += ['<a href="#verify">Verify a download</a>', '<a href="#licence">Licence</a>']
    machine = [f'<a href="{_href(INDEX_FILE)}">index.json</a>']
    if latest is not None:
        machine.append(f'<a href="{_href(LATEST_FILE)}">latest.json</a>')
    if history_versions:
        machine.append(f'<a href="{_href(f"{HISTORY_DIR}/{INDEX_FILE}")}">history/index.json</a>')
    body = [
        "<header><h1>mekdata: datasets from the Wikipedia article on the People's Mojahedin "
        "Organization of Iran</h1>",
        "<p>Designations, electoral history, membership estimates, references, notes and "
        "data-quality findings extracted from the article's text; every row names its source "
        "line and citations. Each version holds the tables as Parquet and CSV, one DuckDB "
        "file (<code>mekdata.duckdb</code>) with every table and its documentation, "
        "exports for the tools analysts already use (<code>entities.ftm.json</code>: "
        "FollowTheMoney entities for the ftm tools, yente and Aleph; <code>wikidata.qs</code>: "
        "Wikidata QuickStatements for a reviewer, each designation with the official act "
        "behind it), a report, the validation results and the source text it was read "
        "from.</p>",
        f"<p>{intro} For programs: {' · '.join(machine)}.</p>",
        f"<nav>{''.join(nav)}</nav></header>",
        _kind_section("release", "Releases", releases, RELEASES_DIR),
    ]
    if history_versions:
        body.append(_kind_section("history", "History releases", history or {}, HISTORY_DIR))
    body.append(
        '<section id="verify"><h2>Verify a download</h2>'
        "<p>Every file's size and sha256 are listed above and in each version's "
        "<code>SHA256SUMS</code>. With the mekdata command, download a version and check "
        "every file against <code>index.json</code> in one step (FOLDER_OR_URL is where this "
        "page is: a folder, a web address or a bucket URL):</p>"
        f"<pre>mekdata download {_e(example)} --from FOLDER_OR_URL --to downloads/\n"
        "mekdata download latest --from FOLDER_OR_URL --to downloads/</pre>"
        "<p>Without it, check a folder you copied with coreutils' <code>sha256sum</code>:</p>"
        f"<pre>cd {_e(RELEASES_DIR)}/{_e(example)}/\nsha256sum -c SHA256SUMS</pre>"
        "<p>Every line must end in <code>OK</code>. Open the tables with DuckDB: "
        f"<code>duckdb {_e(RELEASES_DIR)}/{_e(example)}/mekdata.duckdb</code>, then "
        "<code>SELECT table_name, column_name, comment FROM duckdb_columns();</code> for the "
        "documentation of every column.</p></section>"
    )
    body.append(
        '<section id="licence"><h2>Licence and attribution</h2>'
        f"<p>The data is derived from Wikipedia text and shared under "
        f"{_external(licence.get('path'), licence.get('title') or licence.get('name'))} "
        f"(<code>{_e(licence.get('name'))}</code>). Credit the source when you reuse it: "
        f"{_e((latest or {}).get('attribution') or DEFAULT_ATTRIBUTION)} "
        "Each version's attribution and source are given with it above.</p></section>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>mekdata — datasets and releases</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
