"""The article through time: claim keys, revision triage, claim timelines, replay and checks.

Pure functions and one incremental builder; no I/O, no Prefect. A history flow calls them as:

1. per revision, in a worker: ``process_revision(meta, text, ...)`` -> a ``RevisionOutcome``
   (``extracted`` with its claim tables, ``unchanged_sections``, ``skipped`` or ``failed``);
2. in revision order, in one place: ``TimelineBuilder.add(outcome)`` -> the revision's row,
   the spans it closed and the events it caused; ``finish()`` -> the spans still open. Only the
   open spans (the latest claims) are held, so memory stays flat however many revisions pass;
3. before publishing: the history suites (expectations/history_checks.py) validate the tables
   and the frames transforms/history_validation.py derives from them (spans, references,
   replay).

Decisions, documented here because users read the output through them:

* **What is an event.** A claim's *tracked* columns are all its table's columns except the
  positional ones (``source_line``, ``position``, ``evidence_lines``, ``enrichment_lines``),
  which move with every edit above them, ``quote``, the evidence text, which copy-edits
  reword without changing the claim, and the reference *numbers* (``citations``,
  ``enrichment_citations``) with ``citation_rule`` (how the markers were found): MediaWiki
  numbers references by first use, so one reference added in the lead renumbers every later
  one. Sources are compared by identity instead: ``citation_keys`` (and
  ``enrichment_citation_keys``) as *sets* of ref_keys, so a source added to or removed from a
  claim is one ``changed`` event (old and new value ``;``-joined, sorted) and a renumbering or
  reordering is none. Each span row keeps every column, quote and numbers included, as read in
  its ``valid_from_revid``.
* **References through time.** ``references`` is followed like a claim table, keyed by
  ``ref_key``: a source added, removed, or changed in what it cites (``REFERENCE_TRACKED``:
  authors, year, title, work, publisher, volume, issue, publication date, ISBN, DOI, pages;
  its URL and name are in its key). Its number, text, back-links, cited counts, access date and
  archive fields are not tracked. The reference list is read only when its text changed since
  the base (``references_sha1``); the claims' digest covers the body *and* the reference keys
  by number, so a claim whose sources changed identity is read again.
* **Claim keys** never use line numbers or offsets (see ``claim_key``). When two rows of one
  revision share a key, both are kept: they are ordered deterministically (designations by
  listing start, then reading order; the others by reading order) and the second and later get
  ``#2``, ``#3``…; the revision's ``detail`` names every such collision. Reading order is a
  *relative* order, so the suffixes survive edits elsewhere in the article. Known limit: when
  the first of such rows is deleted, the second inherits the plain key, so the history reads
  "changed" (to the second row's values) and "``#2`` removed" rather than one removal.
* **Blanked and broken revisions** are ``skipped`` with their reason and change no span: the
  next good revision is compared with the last good one, so vandalism and its revert cause no
  events at all (a revert to a different state causes exactly the difference).
* **Base revision.** Events compare a revision with the last revision that was extracted or
  unchanged (``base_revid``); that is its parent unless skipped or failed revisions intervene.
* **Identical revisions.** A revision whose ``sha1`` equals an earlier revision's in range
  (``identical_targets``: the latest such one; a revert restores it) is ``identical``: it is
  never fetched or extracted, its rows are that revision's, and the builder compares them with
  the base as usual, so a revert after vandalism changes nothing and a revert after an edit
  makes exactly the difference back. The builder keeps the rows of a revision that a later one
  repeats (``expect_identical``) until that later one has taken them: memory holds one set of
  claims per pending revert, not one per revision. A revision repeating a skipped or failed
  one changes nothing either and carries its reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from transforms import extract_claims
from transforms.document import Document, ReferenceAnchor
from transforms.references import reference_rows
from transforms.schema import (
    CLAIM_TABLES,
    HISTORY_TABLES,
    LIST_SEPARATOR,
    TABLES,
    TIMELINE_TABLES,
    Column,
    to_frame,
)

POSITIONAL_COLUMNS = frozenset({"source_line", "position", "evidence_lines", "enrichment_lines"})
# Reference numbers move whenever a reference is added or removed above: never an event.
NUMBERED_COLUMNS = frozenset({"citations", "enrichment_citations", "citation_rule"})
# record_basis explains which acts were chosen in words that quote the article's date: it
# moves with every date edit, which is an event of its own column already. The record's
# columns themselves (record_agrees above all) are tracked: an article that comes to agree
# with the record is the event its users look for. row_remark is an editor's note kept
# verbatim beside a table row's values (a parenthetical, a tag): such notes come and go with
# no change to what the row claims.
UNTRACKED_COLUMNS = POSITIONAL_COLUMNS | NUMBERED_COLUMNS | {"quote", "record_basis", "row_remark"}
# What a reference cites: a change in one of these is an event (the rest of its row is its
# place in the list, its formatting, when it was read and where it is archived).
REFERENCE_TRACKED = (
    "authors",
    "year",
    "title",
    "work",
    "publisher",
    "volume",
    "issue",
    "published_on",
    "published_on_precision",
    "isbn",
    "doi",
    "pages",
)
COLLISION_MARK = "#"
KEY_SEPARATOR = "|"
WHITESPACE_RE = re.compile(r"\s+")
LEADING_ARTICLE_RE = re.compile(r"^the\s+")
EDGE_PUNCTUATION = " .,;:'\"“”‘’()[]"


class HistoryError(ValueError):
    """Revisions fed out of order, or events that cannot be replayed."""


# --- claim keys -------------------------------------------------------------------------


@functools.cache
def tracked_columns(table: str) -> tuple[str, ...]:
    """The columns whose change is an event (declared order)."""
    if table == "references":
        return REFERENCE_TRACKED
    return tuple(c for c in TABLES[table].column_names if c not in UNTRACKED_COLUMNS)


@functools.cache
def set_columns(table: str) -> frozenset[str]:
    """Tracked columns compared as sets: the ref_keys a row cites (order is reading order,
    which an edit elsewhere in the sentence can change)."""
    return frozenset(
        c for c in tracked_columns(table) if TABLES[table].column(c).type == "list<string>"
    )


def same_value(table: str, column: str, old: Any, new: Any) -> bool:
    if column in set_columns(table):
        return set(old or ()) == set(new or ())
    return old == new


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _normal(value: Any) -> str:
    """Text as a key part: NFKC, case-folded, white space collapsed, edge punctuation off.
    An edit that only reflows or re-cases a name must not make a new claim."""
    if _missing(value):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return WHITESPACE_RE.sub(" ", text).strip(EDGE_PUNCTUATION)


def _year(value: Any) -> str:
    return "" if _missing(value) else str(int(value))


def claim_key(table: str, row: Mapping[str, Any]) -> str:
    """The claim's key before collision suffixes, from what the claim is about:

    * designations: authority code and regime (``IR|current government``, ``US|``); the
      listing start only orders rows that share these (a later relisting), so correcting a
      date is a *change* of the claim, not a new one;
    * electoral_history: year and election (``1979|assembly of experts election``);
    * membership_estimates: estimator (``estimator_id`` when the frame has it, else the
      normalised name without a leading "the"), measure and period (the years when the text
      gives any, else the normalised wording), e.g. ``council on foreign relations|members|2005``.
    """
    if table == "designations":
        parts = [str(row.get("authority_code") or "").upper(), _normal(row.get("regime"))]
    elif table == "electoral_history":
        parts = [_year(row.get("year")), _normal(row.get("election"))]
    elif table == "references":
        return str(row.get("ref_key") or "")
    elif table == "membership_estimates":
        estimator = row.get("estimator_id")
        if _missing(estimator) or not str(estimator).strip():
            estimator = LEADING_ARTICLE_RE.sub("", _normal(row.get("estimator")))
        start, end = _year(row.get("year_start")), _year(row.get("year_end"))
        period = f"{start}..{end}" if start != end else start
        if not period.strip("."):
            period = _normal(row.get("period"))
        parts = [str(estimator), _normal(row.get("measure")), period]
    else:
        raise KeyError(
            f"{table!r} is not a claim table; claim tables: {', '.join(TIMELINE_TABLES)}"
        )
    return KEY_SEPARATOR.join(part.replace(KEY_SEPARATOR, "/") for part in parts)


def _collision_order(table: str, row: Mapping[str, Any], index: int) -> tuple:
    reading = (
        _plain_int(row.get("source_line")),
        _plain_int(row.get("position")),
        index,
    )
    if table == "designations":
        listed = row.get("listed_on")
        return (_missing(listed), "" if _missing(listed) else str(listed), *reading)
    return reading


def _plain_int(value: Any) -> int:
    return -1 if _missing(value) else int(value)


def records(table: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """An extracted table's rows as plain Python values (None for missing), built column by
    column: iterating a frame's rows costs ten times more."""
    columns = TABLES[table].columns
    if "estimator_id" in frame.columns and "estimator_id" not in TABLES[table].column_names:
        # The canonical estimator id, before the schema declares it: used by claim_key only.
        columns = (*columns, Column("estimator_id", "string", "canonical estimator"))
    values = [_python_values(c, _column_list(frame, c)) for c in columns]
    names = [c.name for c in columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _column_list(frame: pd.DataFrame, column: Column) -> list[Any]:
    """A frame's column as a list. A string column's Arrow array gives its strings (None for
    missing) directly: pandas' ``tolist`` of one with missing values cost ten times more."""
    values = frame[column.name].array
    if column.type == "string" and hasattr(values, "__arrow_array__"):
        return pa.array(values).to_pylist()
    return values.tolist()


# Per column type, the one Python type whose values a frame gives back as they were
# (``records`` of ``to_frame``), and the range it holds them in.
_KEPT_AS_THEY_ARE: dict[str, tuple[type, Any, Any]] = {
    "string": (str, None, None),
    "boolean": (bool, None, None),
    "int16": (int, -(2**15), 2**15 - 1),
    "int32": (int, -(2**31), 2**31 - 1),
    "int64": (int, -(2**63), 2**63 - 1),
    # The dates a frame holds in nanoseconds as well (they are read back through them).
    "date": (dt.date, dt.date(1678, 1, 1), dt.date(2261, 12, 31)),
}


def plain_records(table: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``records(table, to_frame(table, rows))``, without building the frame when every value
    is None or already what the frame would give back (of its column's type, in its range):
    the references table alone is about 11,000 cells a revision, and a history only keys it."""
    rows = list(rows)
    schema = TABLES[table]
    kept = [(c.name, _KEPT_AS_THEY_ARE.get(c.type)) for c in schema.columns]
    names = set(schema.column_names)
    if all(kind is not None for _, kind in kept) and all(names.issuperset(r) for r in rows):
        plain = [{name: row.get(name) for name, _ in kept} for row in rows]
        if all(_kept(kind, [row[name] for row in plain]) for name, kind in kept):
            return plain
    return records(table, to_frame(schema, rows))


def _kept(kind: tuple[type, Any, Any], values: list[Any]) -> bool:
    """Whether a column's values come back from a frame as they are."""
    plain, low, high = kind
    present = [v for v in values if v is not None]
    if not present:
        return True
    if {type(v) for v in present} != {plain}:
        return False
    if plain is str:  # Arrow refuses what is not UTF-8 (a lone surrogate)
        return all(v.isascii() or _utf8(v) for v in present)
    return low is None or (low <= min(present) and max(present) <= high)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def claim_keys(
    table: str, frame: pd.DataFrame | list[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """Keys for every row of an extracted table (aligned with its rows), and a note per key
    shared by several rows, saying how they were told apart. No row is ever dropped."""
    rows = records(table, frame) if isinstance(frame, pd.DataFrame) else frame
    base = [claim_key(table, row) for row in rows]
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(base):
        groups.setdefault(key, []).append(index)
    keys = list(base)
    notes = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda i: _collision_order(table, rows[i], i))
        for rank, index in enumerate(ordered[1:], start=2):
            keys[index] = f"{key}{COLLISION_MARK}{rank}"
        lines = ", ".join(str(_plain_int(rows[i].get("source_line"))) for i in ordered)
        notes.append(f"{table}: {len(members)} rows share key {key!r} (lines {lines}); numbered")
    return keys, notes


@dataclass(frozen=True)
class Claims:
    """One revision's claims, keyed: what the builder compares. Computed where the revision
    is extracted (in parallel), so the one sequential step only compares dictionaries."""

    rows: dict[str, dict[str, dict[str, Any]]]  # table -> claim key -> the row's values
    notes: tuple[str, ...] = ()


def keyed_claims(tables: Mapping[str, pd.DataFrame | list[dict[str, Any]]]) -> Claims:
    """The claims of the tables given (of TIMELINE_TABLES; references keyed by ref_key), as
    frames or as ``records`` gives them."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    notes: list[str] = []
    names = {name: TABLES[name].column_names for name in TIMELINE_TABLES}
    for name in (t for t in TIMELINE_TABLES if t in tables):
        table = tables[name]
        plain = records(name, table) if isinstance(table, pd.DataFrame) else table
        keys, table_notes = claim_keys(name, plain)
        notes += table_notes
        columns = list(names[name])
        rows[name] = {
            # A record is a new dict of these columns already, unless it has more.
            key: row if list(row) == columns else {c: row[c] for c in columns}
            for key, row in zip(keys, plain, strict=True)
        }
    return Claims(rows, tuple(notes))


def share_repeated_rows(outcomes: Iterable[RevisionOutcome]) -> None:
    """Where a claim row (or key, or whole table) equals the one the previous outcome in
    ``outcomes`` read, put that very object in its place. Consecutive revisions mostly read the
    same rows again; pickling a batch's outcomes then writes each repeated row once and a
    reference to it after (the reference list, three quarters of a revision's claims, is
    mostly unchanged from one reading to the next), and unpickling gives the same values.
    Rows count as the same only when their values are equal and of the same types."""
    previous: dict[str, dict[str, dict[str, Any]]] = {}
    for outcome in outcomes:
        if outcome.claims is None:
            continue
        rows = outcome.claims.rows
        for name, table in rows.items():
            before = previous.get(name)
            if before is not None:
                rows[name] = _shared_table(before, table)
            previous[name] = rows[name]


def _shared_table(
    before: dict[str, dict[str, Any]], table: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``table`` with the keys and rows it shares with ``before`` taken from ``before``
    (``before`` itself when every key and row, and their order, are the same)."""
    keys = {key: key for key in before}
    shared = {}
    for key, row in table.items():
        old = before.get(key)
        if old is not None and _same_row(old, row):
            shared[keys[key]] = old
        else:
            shared[keys.get(key, key)] = row
    if len(shared) == len(before) and all(
        a is b and shared[a] is before[b] for a, b in zip(shared, before, strict=True)
    ):
        return before
    return shared


def _same_row(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal values of the same types in the same columns (1 == 1.0 == True, and 0.0 ==
    -0.0, are equal values that would not be written alike). The types are compared by
    ``map`` (no Python call per value): this runs for every row of every revision."""
    if old != new or list(old) != list(new):
        return False
    types = list(map(type, old.values()))
    if types != list(map(type, new.values())):
        return False
    if float in types or list in types or tuple in types:
        return all(map(_same_value, old.values(), new.values()))
    return True


def _same_value(old: Any, new: Any) -> bool:
    if type(old) is not type(new):
        return False
    if type(old) is float:
        return repr(old) == repr(new)
    if type(old) in (list, tuple):
        return len(old) == len(new) and all(map(_same_value, old, new))
    return True


# --- which text can change a table ------------------------------------------------------


def claim_sources(text: str | Document) -> dict[str, str]:
    """Per claim table, the text its extractor reads: the article body (every line before
    the first reference list item). Each of the three extractors reads prose anywhere in the
    body (prose mentions of listings, of elections, of sizes), so the body is the smallest
    safe unit; edits to references, notes and other lists after it cannot change a claim."""
    document = text if isinstance(text, Document) else Document.from_text(text)
    body = "\n".join(document.lines[: document.body_end])
    return dict.fromkeys(CLAIM_TABLES, body)


def sections_sha1(text: str | Document, keys_sha1: str = "") -> str:
    """One digest over every claim table's source text and the digest of the reference keys
    by number (``keys_sha1``): the claims' citation_keys come from both (equal digests:
    nothing to extract)."""
    digest = hashlib.sha1()
    for table, source in claim_sources(text).items():
        digest.update(table.encode())
        digest.update(b"\0")
        digest.update(source.encode("utf-8"))
        digest.update(b"\0")
    digest.update(keys_sha1.encode())
    return digest.hexdigest()


def references_sha1(document: Document) -> str:
    """Digest of the text after the body (the reference and note lists): equal digests mean
    the same references, numbers and keys."""
    tail = "\n".join(document.lines[document.body_end :])
    return hashlib.sha1(tail.encode("utf-8")).hexdigest()


def keys_sha1(references: Iterable[Mapping[str, Any]]) -> str:
    """Digest of a revision's reference keys by number (from the references' records): what
    the claims' citation_keys read from the reference list."""
    text = "\n".join(f"{row['ref_number']} {row['ref_key']}" for row in references)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# --- one revision -----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryConfig:
    # Fewer non-blank characters than this: the page was blanked.
    blank_max_chars: int = 200
    # Smaller than this share of its parent's size (bytes): broken or vandalised.
    shrink_ratio: float = 0.3


@dataclass(frozen=True)
class RevisionMeta:
    revid: int
    parentid: int | None
    timestamp: dt.datetime
    sha1: str | None = None
    size: int | None = None

    def __post_init__(self) -> None:
        stamp = pd.Timestamp(self.timestamp)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        object.__setattr__(self, "timestamp", stamp.to_pydatetime())


@dataclass
class RevisionOutcome:
    meta: RevisionMeta
    status: str  # extracted, unchanged_sections, identical, skipped, failed
    reason: str | None = None
    detail: str | None = None
    sections_sha1: str | None = None
    # Only for extracted: the claim tables as extract_all returns them. ``claims``: those
    # keyed, and the references keyed when the reference list was read (its text changed).
    tables: dict[str, pd.DataFrame] | None = None
    claims: Claims | None = None
    references_sha1: str | None = None
    keys_sha1: str | None = None
    # Only for identical: the revision it repeats, and, when its text was read again (the
    # revision it repeats is in an earlier release, not in this run), what that reading gave.
    identical_to: int | None = None
    reread: str | None = None  # extracted, unchanged_sections, skipped or failed


def identical_targets(revisions: Iterable[tuple[int, str | None]]) -> dict[int, int]:
    """For each ``(revid, sha1)`` in order whose sha1 an earlier one has: that earlier
    revision (the latest such one, so a revert points at the state it restores and a
    repeated state is held in memory only from one repetition to the next). A hidden sha1
    (None, empty) matches nothing."""
    latest: dict[str, int] = {}
    targets: dict[int, int] = {}
    for revid, sha1 in revisions:
        if not sha1:
            continue
        if sha1 in latest:
            targets[revid] = latest[sha1]
        latest[sha1] = revid
    return targets


def identical_outcome(
    meta: RevisionMeta, identical_to: int, reread: RevisionOutcome | None = None
) -> RevisionOutcome:
    """An identical revision. Without ``reread`` its rows are taken from the builder's memory
    of ``identical_to``; with it (the outcome of reading the same text again, when that
    revision belongs to an earlier release) from that reading."""
    if reread is None:
        return RevisionOutcome(meta, "identical", identical_to=identical_to)
    return RevisionOutcome(
        meta,
        "identical",
        reason=reread.reason,
        detail=reread.detail,
        sections_sha1=reread.sections_sha1,
        tables=reread.tables,
        claims=reread.claims,
        identical_to=identical_to,
        reread=reread.status,
        references_sha1=reread.references_sha1,
        keys_sha1=reread.keys_sha1,
    )


@dataclass(frozen=True)
class _State:
    """The claims a revision leaves standing (None: it changes nothing, being skipped or
    failed), what an identical revision repeats."""

    claims: Claims | None
    sections_sha1: str | None = None
    reason: str | None = None
    detail: str | None = None


def failed_outcome(meta: RevisionMeta, reason: str, detail: str) -> RevisionOutcome:
    """A revision that could not be fetched or extracted after the flow's retries."""
    return RevisionOutcome(meta, "failed", reason=reason, detail=detail)


def process_revision(
    meta: RevisionMeta,
    text: str,
    *,
    parent_size: int | None = None,
    base_sections_sha1: str | None = None,
    config: HistoryConfig = HistoryConfig(),
    extract: Callable[[str], Mapping[str, pd.DataFrame]] | None = None,
    reference_anchors: tuple[ReferenceAnchor, ...] = (),
    base_references: tuple[str, str] | None = None,
) -> RevisionOutcome:
    """Triage and extract one revision.

    ``parent_size`` is the size of the revision before it in the sequence (whatever its
    status); ``base_sections_sha1`` the ``sections_sha1`` of the last revision that was
    extracted or unchanged. Checks run cheapest first: blanked, shrunk, unchanged sections,
    then extraction (an exception becomes ``failed``/``extract_error``), then no tables.
    ``reference_anchors`` are the rendered HTML's reference names and links (citation_keys).
    ``base_references`` is the base's ``(references_sha1, keys_sha1)``: when the text after
    the body is the same, the reference list is not read again.
    """
    visible = len(text) - sum(text.count(c) for c in " \t\r\n")
    if visible < config.blank_max_chars:
        return RevisionOutcome(
            meta,
            "skipped",
            reason="blanked",
            detail=f"{visible} non-blank characters (fewer than {config.blank_max_chars})",
        )
    if meta.size is not None and parent_size and meta.size < config.shrink_ratio * parent_size:
        return RevisionOutcome(
            meta,
            "skipped",
            reason="shrunk",
            detail=f"{meta.size} bytes, {meta.size / parent_size:.0%} of its parent's "
            f"{parent_size} (below {config.shrink_ratio:.0%})",
        )
    document = Document.from_text(text, reference_anchors)
    tail = references_sha1(document)
    references = None
    try:
        if base_references is not None and base_references[0] == tail:
            keys = base_references[1]
        else:
            references = plain_records("references", reference_rows(document))
            keys = keys_sha1(references)
    except Exception as error:  # any extractor failure is recorded, never fatal to the run
        return failed_outcome(meta, "extract_error", f"{type(error).__name__}: {error}")
    digest = sections_sha1(document, keys)
    read = {"sections_sha1": digest, "references_sha1": tail, "keys_sha1": keys}
    if base_sections_sha1 is not None and digest == base_sections_sha1:
        claims = None if references is None else keyed_claims({"references": references})
        return RevisionOutcome(meta, "unchanged_sections", claims=claims, **read)
    try:
        # Without ``extract``, the claim tables only, from the document already parsed.
        extracted = extract_claims(document)[0] if extract is None else extract(text)
        tables = {name: extracted[name] for name in CLAIM_TABLES}
    except Exception as error:  # any extractor failure is recorded, never fatal to the run
        return RevisionOutcome(
            meta,
            "failed",
            reason="extract_error",
            detail=f"{type(error).__name__}: {error}",
            sections_sha1=digest,
        )
    if all(frame.empty for frame in tables.values()):
        return RevisionOutcome(
            meta,
            "skipped",
            reason="no_tables",
            detail="none of " + ", ".join(CLAIM_TABLES) + " has a row",
            sections_sha1=digest,
        )
    keyed = tables if references is None else {**tables, "references": references}
    return RevisionOutcome(meta, "extracted", tables=tables, claims=keyed_claims(keyed), **read)


# --- values as event text ---------------------------------------------------------------


def _python(column: Column, value: Any) -> Any:
    """A frame cell as a plain Python value of the column's type (None for missing)."""
    if column.is_list:
        return column.list_value(value)
    if _missing(value):
        return None
    if column.type == "date":
        return pd.Timestamp(value).date()
    if column.type == "timestamp":
        return pd.Timestamp(value).to_pydatetime()
    if column.type in ("int16", "int32", "int64"):
        return int(value)
    if column.type == "float64":
        return float(value)
    if column.type == "boolean":
        return bool(value)
    return str(value)


# The Python type a column's cells already have when ``_python`` would return them as they
# are (a str of a string column, an int of an integer column): checked before calling it.
_PLAIN_TYPES = {"string": str, "int16": int, "int32": int, "int64": int, "boolean": bool}


def _python_values(column: Column, values: list[Any]) -> list[Any]:
    """``_python`` of each of a column's values; the common cells (a str of a string column,
    an int of an integer one) pass without the call: the references table alone is about 11,000
    cells a revision."""
    plain = _PLAIN_TYPES.get(column.type)
    if plain is None:
        return [_python(column, v) for v in values]
    return [v if type(v) is plain else _python(column, v) for v in values]


def value_text(column: Column, value: Any) -> str | None:
    """A value as event text: ISO dates, ``;``-joined lists, true/false, repr of floats."""
    if column.is_list:
        return LIST_SEPARATOR.join(str(v) for v in (value or []))
    if value is None:
        return None
    if column.type == "boolean":
        return "true" if value else "false"
    if column.type == "float64":
        return repr(float(value))
    if column.type == "date":
        return value.isoformat()
    return str(value)


# --- the incremental builder ------------------------------------------------------------


@dataclass
class Step:
    """What one revision added to the history."""

    revision: dict[str, Any]
    closed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


class TimelineBuilder:
    """Consumes outcomes in revision order; holds only the open span of each claim."""

    def __init__(self) -> None:
        self._open: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TIMELINE_TABLES}
        self._base: RevisionMeta | None = None
        self._last: RevisionMeta | None = None
        self._seq = 0
        # The base's claims as extracted (None after a resume until the next extraction:
        # then rebuilt from the open spans), and its sections hash.
        self._base_claims: Claims | None = None
        self.base_sections_sha1: str | None = None
        # revid -> identical revisions still to take its rows; revid -> those rows.
        self._keep: Counter[int] = Counter()
        self._states: dict[int, _State] = {}

    @property
    def base_revid(self) -> int | None:
        """The revision the next one is compared with."""
        return self._base.revid if self._base else None

    def expect_identical(self, targets: Mapping[int, int]) -> None:
        """``targets`` (identical revid -> the revid it repeats) will be fed as identical
        outcomes without rows: keep each repeated revision's rows until they are taken."""
        self._keep.update(targets.values())

    @classmethod
    def resume(
        cls,
        open_spans: Mapping[str, pd.DataFrame],
        last: RevisionMeta,
        base: RevisionMeta | None,
        next_seq: int,
        base_sections_sha1: str | None = None,
    ) -> TimelineBuilder:
        """A builder that continues an earlier run: ``open_spans`` are its ``<table>_history``
        rows with ``valid_to_revid`` null, ``last`` its last revision, ``base`` its last
        extracted or unchanged revision and ``next_seq`` one more than its last event's seq.
        A re-run then feeds only the revisions after ``last``."""
        builder = cls()
        builder._last, builder._base, builder._seq = last, base, next_seq - 1
        builder.base_sections_sha1 = base_sections_sha1
        for name in TIMELINE_TABLES:
            frame = open_spans.get(name)
            if frame is None or frame.empty:
                continue
            if frame["valid_to_revid"].notna().any():
                raise HistoryError(f"{name}: resume takes open spans only (valid_to_revid null)")
            history = HISTORY_TABLES[f"{name}_history"]
            values = [[_python(c, v) for v in frame[c.name].tolist()] for c in history.columns]
            for row in zip(*values, strict=True):
                span = dict(zip(history.column_names, row, strict=True))
                del span["valid_to_revid"], span["valid_to"]
                if span["claim_key"] in builder._open[name]:
                    raise HistoryError(f"{name}: two open spans for {span['claim_key']!r}")
                builder._open[name][span["claim_key"]] = span
        return builder

    def add(self, outcome: RevisionOutcome) -> Step:
        meta = outcome.meta
        if self._last is not None and (meta.timestamp, meta.revid) <= (
            self._last.timestamp,
            self._last.revid,
        ):
            raise HistoryError(
                f"revision {meta.revid} ({meta.timestamp:%Y-%m-%dT%H:%M:%SZ}) came after "
                f"{self._last.revid} ({self._last.timestamp:%Y-%m-%dT%H:%M:%SZ}); the builder "
                "needs revisions in order of timestamp, then revid."
            )
        self._last = meta
        base = self._base
        revision = {
            "revid": meta.revid,
            "parentid": meta.parentid,
            "timestamp": meta.timestamp,
            "sha1": meta.sha1,
            "size": meta.size,
            "status": outcome.status,
            "reason": outcome.reason,
            "detail": outcome.detail,
            "base_revid": base.revid if base else None,
            "sections_sha1": outcome.sections_sha1,
            "identical_to_revid": None,
        }
        step = Step(revision)
        if outcome.status == "unchanged_sections":
            if base is None:
                raise HistoryError(
                    f"revision {meta.revid} is unchanged_sections but no earlier revision's "
                    "claims are known to reuse; extract the first revision of a run."
                )
            state = _State(self._merged(outcome.claims), outcome.sections_sha1)
        elif outcome.status == "extracted":
            claims = outcome.claims or keyed_claims(outcome.tables or {})
            if claims.notes:
                revision["detail"] = "; ".join(filter(None, [outcome.detail, *claims.notes]))
            state = _State(self._merged(claims), outcome.sections_sha1)
        elif outcome.status == "identical":
            state = self._repeated(outcome)
            revision |= {
                "identical_to_revid": outcome.identical_to,
                "reason": state.reason,
                "detail": state.detail,
                "sections_sha1": state.sections_sha1,
            }
        elif outcome.status in ("skipped", "failed"):
            state = _State(None, reason=outcome.reason, detail=outcome.detail)
        else:
            raise HistoryError(f"revision {meta.revid}: unknown status {outcome.status!r}")
        if state.claims is not None:
            if state.claims is not self._base_claims:
                self._apply(meta, base, state.claims, step)
            self._base, self._base_claims = meta, state.claims
            self.base_sections_sha1 = state.sections_sha1
        if self._keep.get(meta.revid):
            self._states[meta.revid] = state
        return step

    def _merged(self, claims: Claims | None) -> Claims:
        """``claims`` completed with the base's rows of the tables it lacks (a revision whose
        reference list was not read has the base's references)."""
        if claims is None:
            return self._current_claims()
        missing = [t for t in TIMELINE_TABLES if t not in claims.rows]
        if not missing:
            return claims
        current = self._current_claims().rows if self._base is not None else {}
        rows = {t: claims.rows.get(t, current.get(t, {})) for t in TIMELINE_TABLES}
        return Claims(rows, claims.notes)

    def _current_claims(self) -> Claims:
        """The base's claims: as extracted, or after a resume rebuilt from the open spans
        (their tracked values are the base's)."""
        if self._base_claims is None:
            names = {name: TABLES[name].column_names for name in TIMELINE_TABLES}
            self._base_claims = Claims(
                {
                    name: {key: {c: span[c] for c in names[name]} for key, span in spans.items()}
                    for name, spans in self._open.items()
                }
            )
        return self._base_claims

    def _repeated(self, outcome: RevisionOutcome) -> _State:
        """What an identical revision repeats: its re-reading, or the kept rows of the
        revision it is identical to."""
        target = outcome.identical_to
        if outcome.reread == "extracted":
            claims = self._merged(outcome.claims or keyed_claims(outcome.tables or {}))
            return _State(claims, outcome.sections_sha1, detail=f"identical to {target}")
        if outcome.reread == "unchanged_sections":
            return _State(
                self._merged(outcome.claims), outcome.sections_sha1, detail=f"identical to {target}"
            )
        if outcome.reread is not None:
            detail = f"identical to {target}, which is {outcome.reread}: {outcome.detail}"
            return _State(None, reason=outcome.reason, detail=detail)
        if target not in self._states:
            raise HistoryError(
                f"revision {outcome.meta.revid} is identical to {target}, whose rows were not "
                "kept: call expect_identical before feeding the revisions"
            )
        state = self._states[target]
        self._keep[target] -= 1
        if self._keep[target] <= 0:
            del self._keep[target], self._states[target]
        if state.claims is None:
            what = f"{target}, which was left out ({state.reason}): {state.detail}"
            return _State(None, reason=state.reason, detail=f"identical to {what}")
        return _State(state.claims, state.sections_sha1, detail=f"identical to {target}")

    def _apply(self, meta: RevisionMeta, base: RevisionMeta | None, claims: Claims, step: Step):
        for name in TIMELINE_TABLES:
            if name not in claims.rows:
                continue
            rows = claims.rows[name]
            if self._base_claims is not None and rows is self._base_claims.rows.get(name):
                continue  # the base's own rows: nothing to compare
            open_spans = self._open[name]
            closed = []
            for key in sorted(set(open_spans) | set(rows)):
                old, new = open_spans.get(key), rows.get(key)
                if old is None:
                    self._event(step, meta, base, name, key, "added", None, None, _json(name, new))
                elif new is None:
                    self._event(step, meta, base, name, key, "removed", None, _json(name, old))
                else:
                    changed = [
                        c for c in tracked_columns(name) if not same_value(name, c, old[c], new[c])
                    ]
                    if not changed:
                        continue
                    for column in changed:
                        before, after = _text(name, column, old), _text(name, column, new)
                        self._event(step, meta, base, name, key, "changed", column, before, after)
                if old is not None:
                    closed.append(old | {"valid_to_revid": meta.revid, "valid_to": meta.timestamp})
                    del open_spans[key]
                if new is not None:
                    open_spans[key] = new | {
                        "claim_key": key,
                        "valid_from_revid": meta.revid,
                        "valid_from": meta.timestamp,
                    }
            if closed:
                step.closed[name] = closed

    def _event(self, step, meta, base, table, key, event, column, old, new=None) -> None:
        self._seq += 1
        step.events.append(
            {
                "seq": self._seq,
                "revid": meta.revid,
                "parentid": meta.parentid,
                "base_revid": base.revid if base else None,
                "timestamp": meta.timestamp,
                "table": table,
                "claim_key": key,
                "event": event,
                "column": column,
                "old_value": old,
                "new_value": new,
            }
        )

    def open_spans(self) -> dict[str, list[dict[str, Any]]]:
        """The claims as the article states them now (valid_to null), in key order."""
        return {
            name: [
                span | {"valid_to_revid": None, "valid_to": None}
                for _, span in sorted(spans.items())
            ]
            for name, spans in self._open.items()
        }

    def finish(self) -> dict[str, list[dict[str, Any]]]:
        return self.open_spans()


def _text(table: str, column: str, row: Mapping[str, Any]) -> str | None:
    return event_text(table, column, row[column])


def event_text(table: str, column: str, value: Any) -> str | None:
    """A tracked value as events and replay spell it: a set column's keys sorted."""
    if column in set_columns(table):
        value = sorted(value or ())
    return value_text(TABLES[table].column(column), value)


def _json(table: str, row: Mapping[str, Any]) -> str:
    return json.dumps({c: _text(table, c, row) for c in tracked_columns(table)}, ensure_ascii=False)


def history_frame(table: str, spans: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Span rows (from ``Step.closed`` or ``finish``) as the ``<table>_history`` frame."""
    return to_frame(HISTORY_TABLES[f"{table}_history"], spans)


def tables_from_open_spans(open_spans: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The latest claims as claim tables, from a release's open spans: what the replay check
    compares with when a continued run extracted no new revision.

    Open spans hold the latest claims' tracked values, but each row's ``source_line`` and
    ``position`` as read where its span began, so keying them again could number rows that
    share a key (``#2``) in another order. Their keys already record that order: each row's
    ``source_line`` becomes its rank in (key, number) order and ``position`` 0, so
    ``claim_keys`` gives every row back the key it has."""
    tables = {}
    for name in (*CLAIM_TABLES, *(["references"] if "references" in open_spans else [])):
        frame = open_spans.get(name)
        if frame is None or frame.empty:
            tables[name] = to_frame(TABLES[name], [])
            continue
        if frame["valid_to_revid"].notna().any():
            raise HistoryError(f"{name}: open spans only (valid_to_revid null)")
        order = sorted(range(len(frame)), key=lambda i: _numbered(frame["claim_key"].iloc[i]))
        rows = records(name, frame.iloc[order].reset_index(drop=True))
        for rank, row in enumerate(rows, start=1):
            row["source_line"] = rank
            if "position" in row:
                row["position"] = 0
        tables[name] = to_frame(TABLES[name], rows)
    return tables


def _numbered(key: str) -> tuple[str, int]:
    """A claim key as (key without its collision number, the number: 1 when it has none)."""
    base, mark, number = key.rpartition(COLLISION_MARK)
    return (base, int(number)) if mark and number.isdigit() else (key, 1)
