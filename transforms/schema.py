"""The one declaration of every published table and column.

Everything else is derived from here: the pandas dtypes the extractors cast to, the Parquet
schema (with each column's description in its field metadata), the CSV header, the
Frictionless table schema in ``datapackage.json``, the data dictionary (docs/) and the
structural Great Expectations suites. Edit a column here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype

SCHEMA_VERSION = "1.4.0"
UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
SECONDS_PER_DAY = 86_400
NAT_INT = np.iinfo(np.int64).min  # numpy's NaT as an integer

# Logical types -> (pandas dtype, Frictionless type). Arrow types are derived in ``arrow_type``.
LOGICAL_TYPES: dict[str, tuple[str, str]] = {
    "string": ("str", "string"),
    "int16": ("Int16", "integer"),
    "int32": ("Int32", "integer"),
    "int64": ("Int64", "integer"),
    "float64": ("float64", "number"),
    "boolean": ("boolean", "boolean"),
    "date": ("datetime64[s]", "date"),
    # A moment in UTC (revision timestamps in history releases), to the second as MediaWiki
    # gives it.
    "timestamp": ("datetime64[s, UTC]", "datetime"),
    "list<int32>": ("object", "string"),
    # Reference keys (ref_key) a row cites; never holds the CSV separator ";".
    "list<string>": ("object", "string"),
}
# List types -> the Python type of their elements (what a value is cast to when built, written
# or turned into event text).
LIST_ELEMENT_TYPES: dict[str, type] = {"list<int32>": int, "list<string>": str}
LIST_SEPARATOR = ";"
PRECISION_VALUES = ("day", "month", "year")
# Who made a size estimate, by kind (transforms/estimators.py assigns one to each source).
ESTIMATOR_KINDS = (
    "government",
    "intergovernmental",
    "press",
    "scholar",
    "think_tank",
    "self",
    "other",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # Extra words for the data dictionary, e.g. how CSV spells a list.
    csv_note: str | None = None
    # No two rows share a value (besides the primary key, which is unique anyway).
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in LOGICAL_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def pandas_dtype(self) -> str:
        return LOGICAL_TYPES[self.type][0]

    @property
    def frictionless_type(self) -> str:
        return LOGICAL_TYPES[self.type][1]

    @property
    def is_list(self) -> bool:
        return self.type in LIST_ELEMENT_TYPES

    def list_value(self, value: Any) -> list:
        """A list cell as a plain list of its element type (an empty list for None)."""
        element = LIST_ELEMENT_TYPES[self.type]
        return [] if value is None else [element(v) for v in value]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    # Plausible row counts for the article; the validation gate enforces them.
    min_rows: int = 1
    max_rows: int = 10_000
    is_fact_table: bool = field(default=False)
    # What `mekdata show` prints by default: the few columns a reader needs to tell the rows
    # apart and see their main values, narrow enough for an 80-column terminal.
    display_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.display_columns) - set(self.column_names)
        if unknown:
            raise ValueError(f"{self.name}: display columns {sorted(unknown)} are not columns")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def _partial_date(name: str, what: str) -> tuple[Column, Column]:
    return (
        Column(
            name,
            "date",
            f"{what}; month- and year-precision dates are stored as the first "
            f"day of the month or year (see {name}_precision).",
        ),
        Column(
            f"{name}_precision",
            "string",
            f"How precisely the text gives {name}: day, month or year; null when {name} is.",
            enum=PRECISION_VALUES,
        ),
    )


EVIDENCE_COLUMNS = (
    Column(
        "citations",
        "list<int32>",
        "Reference numbers cited for the row, as in the article's [n] markers: a table row's "
        "own markers; for a sentence, the markers inside and closing it (see citation_rule).",
        csv_note="`;`-joined in CSV",
    ),
    Column(
        "citation_keys",
        "list<string>",
        "The same references as citations, in the same order, by ref_key: what stays true "
        "when the article renumbers its references.",
        csv_note="`;`-joined in CSV",
    ),
    Column(
        "citation_rule",
        "string",
        "How the citations were found: row (the table row's own markers), sentence (the "
        "sentence's markers), next_in_paragraph (the sentence has none; the next markers in "
        "its paragraph), none (no marker found).",
        required=True,
        enum=("row", "sentence", "next_in_paragraph", "none"),
    ),
    Column(
        "source_line",
        "int32",
        "1-based line number in the source text where the row's evidence starts.",
        required=True,
        minimum=1,
    ),
    Column(
        "quote",
        "string",
        "The verbatim evidence text (a table row or sentence) the row was read from.",
        required=True,
    ),
)

ROW_REMARK = Column(
    "row_remark",
    "string",
    "What the table row holds that was not read as a value, verbatim: an editor's "
    "parenthetical, an inline tag, a trailing remark; parts joined by '; '. Null when the row "
    "held only what was read.",
)

# What the official record says of a designation row (DATA_CONTRACT.md, "The record"):
# transforms/record.py fills them from the reviewed table of official acts.
RECORD_COLUMNS = (
    Column(
        "record_listed_on",
        "date",
        "The listing's date as the official act gives it; null where no listing act is on "
        "record for this row (see official_acts).",
    ),
    Column(
        "record_delisted_on",
        "date",
        "The delisting's date as the official act gives it; null where no delisting act is on "
        "record for this row.",
    ),
    Column(
        "record_listing_act",
        "string",
        "The citation of the instrument that made the listing (a Federal Register notice, a "
        "statutory instrument, a Council decision, …).",
    ),
    Column(
        "record_delisting_act",
        "string",
        "The citation of the instrument that ended the listing.",
    ),
    Column(
        "record_listing_act_id",
        "string",
        "The listing act's act_id in official_acts (to join the act's evidence).",
    ),
    Column(
        "record_delisting_act_id",
        "string",
        "The delisting act's act_id in official_acts.",
    ),
    Column(
        "record_url",
        "string",
        "Where the listing act (or, without one, the delisting act) can be read.",
    ),
    Column(
        "record_agrees",
        "boolean",
        "True when the article's dates equal the record's at the article's precision (a "
        "year-precision date agrees with any day of that year, a month-precision date with any "
        "day of that month; a current listing disagrees with a delisting on record); false when "
        "one differs (a record_conflict finding names both); null without a record to compare.",
    ),
    Column(
        "record_basis",
        "string",
        "Why these acts were chosen for the row, in words (the program named, the nearest date); "
        "null without a record.",
    ),
)

DESIGNATIONS = Table(
    name="designations",
    title="Terrorist designations and other listings",
    description="One row per listing authority and listing period, from the article's "
    "designation table and every prose mention of a listing or delisting.",
    primary_key=("designation_id",),
    display_columns=("authority", "status", "listed_on", "delisted_on"),
    is_fact_table=True,
    min_rows=3,
    max_rows=60,
    columns=(
        Column(
            "designation_id",
            "string",
            "Stable key: the authority code, then the regime when the text separates them.",
            required=True,
        ),
        Column(
            "authority", "string", "Who listed the group, as named in the article.", required=True
        ),
        Column(
            "authority_code",
            "string",
            "ISO 3166-1 alpha-2 code for a state; EU or UN for those bodies.",
            required=True,
        ),
        Column(
            "status",
            "string",
            "current (still listed), former (delisted) or other (listed in some other way "
            "than as a terrorist organisation).",
            required=True,
            enum=("current", "former", "other"),
        ),
        Column(
            "listing_kind",
            "string",
            "What kind of listing: terrorist_designation, sanctions_list (e.g. a list kept "
            "under a UN Security Council resolution) or description (a body described the "
            "group as terrorist without listing it).",
            required=True,
            enum=("terrorist_designation", "sanctions_list", "description"),
        ),
        Column(
            "listing_detail",
            "string",
            "The listing in the article's words when it is not a plain designation, or the "
            "government that made it.",
        ),
        Column(
            "regime",
            "string",
            "The government of the authority that made the listing, when the text names one.",
        ),
        *_partial_date("listed_on", "When the listing started"),
        *_partial_date("delisted_on", "When the listing ended; null while current"),
        Column(
            "evidence_lines",
            "list<int32>",
            "Other source lines that mention the same listing or delisting and agree with "
            "this row.",
            csv_note="`;`-joined in CSV",
        ),
        Column(
            "table_group",
            "string",
            "The designation table's group label the row was read under: current (Currently "
            "listed by), former (Formerly listed by) or other (Other designations); null for a "
            "row read from prose.",
            enum=("current", "former", "other"),
        ),
        Column(
            "stated_dates",
            "int16",
            "How many event dates (introduced by on, in, since, until, or straight after "
            "designated, delisted, …) the table row states for this listing period, read or "
            "not; null for a row read from prose.",
            minimum=0,
        ),
        ROW_REMARK,
        *RECORD_COLUMNS,
        *EVIDENCE_COLUMNS,
    ),
)

ELECTORAL_HISTORY = Table(
    name="electoral_history",
    title="Electoral history",
    description="One row per election or referendum in the article's electoral history table, "
    "enriched from the prose about the same election.",
    primary_key=("year", "election"),
    display_columns=("year", "election", "result_text", "stance"),
    is_fact_table=True,
    min_rows=1,
    max_rows=200,
    columns=(
        Column(
            "year",
            "int16",
            "Year of the election or referendum.",
            required=True,
            minimum=1900,
            maximum=2100,
        ),
        Column("election", "string", "The election's name as the article gives it.", required=True),
        Column(
            "election_type",
            "string",
            "Kind of vote, read from the election's name.",
            required=True,
            enum=(
                "referendum",
                "presidential",
                "parliamentary",
                "assembly_of_experts",
                "local",
                "other",
            ),
        ),
        Column(
            "result_text",
            "string",
            "The seats/policy cell as written (e.g. 0 / 73 (0%), Vote 'Yes'); an editor's "
            "parenthetical or tag in it is in row_remark instead.",
        ),
        Column(
            "stance",
            "string",
            "The group's position where it ran no candidates: yes, no, boycott or no candidate.",
            enum=("yes", "no", "boycott", "no candidate"),
        ),
        Column("seats_won", "int32", "Seats won (0 / 73 gives 0).", minimum=0),
        Column("seats_total", "int32", "Seats contested in all (0 / 73 gives 73).", minimum=1),
        Column(
            "seat_share",
            "float64",
            "seats_won / seats_total as a fraction.",
            minimum=0.0,
            maximum=1.0,
        ),
        *_partial_date("held_on", "When the vote was held, from the prose"),
        Column(
            "candidate", "string", "The group's candidate named in the prose about this election."
        ),
        Column(
            "candidate_outcome",
            "string",
            "What happened to that candidate or list: barred, lost or run_off.",
            enum=("barred", "lost", "run_off"),
        ),
        Column(
            "votes",
            "int64",
            "Votes received by the group's top candidate, from the prose.",
            minimum=0,
        ),
        Column("note", "string", "What the prose adds about the group and this election."),
        Column(
            "enrichment_lines",
            "list<int32>",
            "Source lines of the prose the enrichment columns were read from.",
            csv_note="`;`-joined in CSV",
        ),
        Column(
            "enrichment_citations",
            "list<int32>",
            "Reference numbers cited by the enrichment sentences.",
            csv_note="`;`-joined in CSV",
        ),
        Column(
            "enrichment_citation_keys",
            "list<string>",
            "The same references as enrichment_citations, in the same order, by ref_key.",
            csv_note="`;`-joined in CSV",
        ),
        ROW_REMARK,
        *EVIDENCE_COLUMNS,
    ),
)

MEMBERSHIP_ESTIMATES = Table(
    name="membership_estimates",
    title="Membership estimates",
    description="One row per statement of the organisation's size anywhere in the article.",
    primary_key=("source_line", "position"),
    display_columns=("low", "high", "measure", "year_start", "year_end", "scope"),
    is_fact_table=True,
    min_rows=3,
    max_rows=500,
    columns=(
        Column(
            "position",
            "int32",
            "Character offset of the figure within its source line (orders several "
            "estimates read from one line).",
            required=True,
            minimum=0,
        ),
        Column("low", "int64", "Lower bound; equals high for a point estimate.", minimum=0),
        Column("high", "int64", "Upper bound; equals low for a point estimate.", minimum=0),
        Column(
            "qualifier",
            "string",
            "Approximation as worded: about, over, some, between, more than, …",
        ),
        Column(
            "measure",
            "string",
            "What was counted: members, fighters, supporters, sympathizers, attendees, …",
            required=True,
        ),
        Column(
            "year_start", "int16", "First year the estimate refers to.", minimum=1900, maximum=2100
        ),
        Column(
            "year_end", "int16", "Last year the estimate refers to.", minimum=1900, maximum=2100
        ),
        Column("period", "string", "The period as worded in the text."),
        Column("estimator", "string", "Who made the estimate, as named in the text."),
        Column(
            "estimator_id",
            "string",
            "The estimator's canonical id from the reviewed estimator table (one id however "
            "the text names it; ids of sources credited together joined with +); derived from "
            "the words, with an unknown_estimator finding, for a source not in the table; null "
            "when the text names no estimator.",
        ),
        Column(
            "estimator_kind",
            "string",
            "What kind of source the estimator is (other for an unknown source or sources of "
            "different kinds credited together); null when the text names no estimator.",
            enum=ESTIMATOR_KINDS,
        ),
        Column("scope", "string", "Where or what the estimate covers (global, Iraq, a camp, …)."),
        Column(
            "is_self_reported",
            "boolean",
            "True when the figure is the group's own claim.",
            required=True,
        ),
        Column(
            "derived",
            "boolean",
            "True when the row is computed from another estimate in the same sentence "
            "(e.g. a share of a total) rather than stated.",
            required=True,
        ),
        *EVIDENCE_COLUMNS,
    ),
)

REFERENCES = Table(
    name="references",
    title="References",
    description="One row per numbered reference in the article's reference list.",
    primary_key=("ref_number",),
    display_columns=("ref_number", "authors", "year", "title"),
    min_rows=1,
    max_rows=5_000,
    columns=(
        Column(
            "ref_number",
            "int32",
            "The number shown in the reference list.",
            required=True,
            minimum=1,
        ),
        Column(
            "ref_key",
            "string",
            "The reference's identity across revisions, unique within a revision: the named "
            "ref (name:), else its DOI (doi:), ISBN (isbn:) or URL (url:), else its "
            "normalised authors, title and year (cite:); stable when the article renumbers "
            "and when only an access date, an archive link or the citation's formatting "
            "changes (see docs/references.md).",
            required=True,
            unique=True,
        ),
        Column(
            "text",
            "string",
            "The full reference text; null when the list entry is empty (see findings).",
        ),
        Column(
            "authors",
            "string",
            "Author(s) as written (editors when they stand in the authors' place), when the "
            "reference names them.",
        ),
        Column("year", "int16", "Publication year.", minimum=1800, maximum=2100),
        Column(
            "title",
            "string",
            "Title of the article, chapter or book as written (a book's title whole, commas "
            "and colons included).",
        ),
        Column(
            "work",
            "string",
            "What the titled piece appeared in: newspaper, journal, website, or the book or "
            "encyclopedia a chapter is in; null for a book cited whole.",
        ),
        Column(
            "publisher",
            "string",
            "Publisher (or agency) as written, without the place of publication.",
        ),
        Column("volume", "string", "Volume of the journal or book, as written."),
        Column("issue", "string", "Issue or number of the journal, as written."),
        *_partial_date("published_on", "Publication date"),
        Column("isbn", "string", "ISBN, digits and X only."),
        Column("doi", "string", "DOI."),
        Column(
            "pages",
            "string",
            "Page or pages cited, as written ('p. 208', 'pp. 73–74'; a journal's '75–96').",
        ),
        Column("retrieved_on", "date", "Date the source was retrieved, when stated."),
        Column(
            "archived_on",
            "date",
            "Date of the archived copy ('Archived from the original on …'), when stated.",
        ),
        Column(
            "archived",
            "boolean",
            "True when the reference mentions an archived copy.",
            required=True,
        ),
        Column(
            "is_short_citation",
            "boolean",
            "True for an abbreviated citation such as 'Abrahamian 1989, p. 1.'.",
            required=True,
        ),
        Column(
            "full_ref_number",
            "int32",
            "For a short citation: the reference number of the full work it abbreviates.",
        ),
        Column(
            "backlink_count",
            "int32",
            "How many places the reference list says cite it (its ^ a b c … links).",
            required=True,
            minimum=1,
        ),
        Column(
            "cited_count",
            "int32",
            "How many [n] markers in the article body point to it.",
            required=True,
            minimum=0,
        ),
        Column(
            "source_line",
            "int32",
            "1-based line of the reference in the source text.",
            required=True,
            minimum=1,
        ),
    ),
)

NOTES = Table(
    name="notes",
    title="Explanatory notes",
    description="The article's explanatory notes ([note n] markers), kept apart from the "
    "numbered references.",
    primary_key=("note_label",),
    display_columns=("note_label", "text"),
    min_rows=0,
    max_rows=500,
    columns=(
        Column("note_label", "string", "The marker's label, e.g. note 1.", required=True),
        Column("text", "string", "The note's text.", required=True),
        Column(
            "citations",
            "list<int32>",
            "Reference numbers cited inside the note.",
            csv_note="`;`-joined in CSV",
        ),
        Column(
            "citation_keys",
            "list<string>",
            "The same references as citations, in the same order, by ref_key.",
            csv_note="`;`-joined in CSV",
        ),
        Column(
            "cited_count",
            "int32",
            "How many markers in the body point to it.",
            required=True,
            minimum=0,
        ),
        Column(
            "source_line",
            "int32",
            "1-based line of the note in the source text.",
            required=True,
            minimum=1,
        ),
    ),
)

# Every finding kind and its severity, decided here once: error (a value in the tables
# cannot be trusted, or is missing), warning (the article is odd in a way a reader should
# know; the tables are right), info (worth knowing, nothing is wrong with the data).
FINDING_SEVERITY: dict[str, str] = {
    "conflict": "error",  # two places in the article disagree; one value is wrong
    "dangling_citation": "error",  # a cited reference is missing: the claim is unbacked
    "unparsed": "error",  # the text holds a value the tables do not
    "missing_section": "error",  # a whole table could not be read
    "unused_reference": "warning",  # text that cited it was lost in flattening
    "unused_note": "warning",
    "empty_reference": "warning",  # an entry of the reference list with no text
    "source_quality": "warning",  # a source-quality expectation failed (expectations/)
    "maintenance_tag": "info",  # the article flags itself ("[citation needed]")
    "candidate_designation": "warning",  # a listing sentence no designation row takes up
    "unreadable_row": "error",  # a table row that cannot be read: its values are missing
    "unknown_estimator": "warning",  # an estimator missing from the reviewed table
    # A size figure that was not read: info when a rule left it out (a count of people killed,
    # another body's members), warning when the phrasing is not understood. The extractor
    # chooses within FINDING_SEVERITY_CHOICES; this is the default.
    "candidate_estimate": "warning",
    # The article and the official record (official_acts) disagree on a designation's date,
    # or the record holds an act the article does not mention: the article is a secondary
    # source, so this grades the source, never our tables (transforms/record.py).
    "record_conflict": "warning",
    "record_missing": "warning",
}
# Kinds whose severity the extractor decides per finding, and the severities it may choose.
FINDING_SEVERITY_CHOICES: dict[str, tuple[str, ...]] = {
    "candidate_estimate": ("info", "warning"),
}
FINDING_KINDS = tuple(FINDING_SEVERITY)
SEVERITIES = ("error", "warning", "info")


def _severity_description() -> str:
    by_severity = {
        severity: [kind for kind, s in FINDING_SEVERITY.items() if s == severity]
        for severity in SEVERITIES
    }
    return (
        "How much the finding matters, fixed per kind: error (a value in the tables cannot be "
        f"trusted or is missing: {', '.join(by_severity['error'])}), warning (the article is "
        f"odd, the tables are right: {', '.join(by_severity['warning'])}) or info (worth "
        f"knowing: {', '.join(by_severity['info'])}); "
        + "; ".join(
            f"{kind} is {' or '.join(choices)} as the extractor judges each one"
            for kind, choices in FINDING_SEVERITY_CHOICES.items()
        )
        + "."
    )


FINDINGS = Table(
    name="findings",
    title="Data-quality findings",
    description="One row per data-quality finding about the source text.",
    primary_key=("finding_id",),
    display_columns=("severity", "kind", "table", "detail"),
    min_rows=0,
    max_rows=5_000,
    columns=(
        Column(
            "finding_id", "string", "Stable key derived from kind, table and detail.", required=True
        ),
        Column("kind", "string", "What is wrong.", required=True, enum=FINDING_KINDS),
        Column(
            "severity",
            "string",
            _severity_description(),
            required=True,
            enum=SEVERITIES,
        ),
        Column("table", "string", "The table the finding concerns.", required=True),
        Column(
            "detail",
            "string",
            "Human-readable description naming the values involved.",
            required=True,
        ),
        Column("source_line", "int32", "1-based source line the finding points at.", minimum=1),
        Column(
            "related_lines",
            "list<int32>",
            "Other source lines involved (e.g. the other side of a conflict).",
            csv_note="`;`-joined in CSV",
        ),
        Column("section", "string", "The article section the finding is in or near."),
        Column(
            "ref_number",
            "int32",
            "The reference number the finding concerns (dangling or unused citations).",
            minimum=1,
        ),
    ),
)

OFFICIAL_ACTS = Table(
    name="official_acts",
    title="Official acts",
    description="One row per legal act that listed or delisted the group, from the reviewed "
    "table shipped with the code (transforms/official_acts.py), not from the article: the "
    "record each designation is set against. Each row names the URL and quotes the words its "
    "date was taken from.",
    primary_key=("act_id",),
    display_columns=("authority_code", "act_type", "official_date", "instrument"),
    # The reviewed table is shipped with the code: an empty one means it was lost.
    min_rows=1,
    max_rows=500,
    columns=(
        Column("act_id", "string", "Stable key of the act.", required=True),
        Column(
            "authority_code",
            "string",
            "As designations.authority_code: ISO 3166-1 alpha-2, or EU / UN.",
            required=True,
        ),
        Column("authority", "string", "The body that made the act.", required=True),
        Column(
            "act_type",
            "string",
            "listing or delisting.",
            required=True,
            enum=("listing", "delisting"),
        ),
        Column("program", "string", "The list or regime the act concerns.", required=True),
        Column(
            "official_date",
            "date",
            "The date the act took effect, as the instrument gives it.",
            required=True,
        ),
        Column(
            "instrument",
            "string",
            "The instrument's citation (Federal Register notice, statutory instrument, …).",
            required=True,
        ),
        Column("url", "string", "Where the act can be read.", required=True),
        Column("evidence", "string", "The quoted words the date was taken from.", required=True),
        Column("evidence_url", "string", "Where those words were found.", required=True),
        Column("note", "string", "What a reviewer should know about the act or its date."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DESIGNATIONS,
        ELECTORAL_HISTORY,
        MEMBERSHIP_ESTIMATES,
        REFERENCES,
        NOTES,
        FINDINGS,
        OFFICIAL_ACTS,
    )
}


# History releases (DATA_CONTRACT.md, "History releases"): the article through time. Kept in a
# registry of their own so regular releases, which iterate TABLES, are unaffected.
REVISION_STATUSES = ("extracted", "unchanged_sections", "identical", "failed", "skipped")
REVISION_REASONS = (
    "blanked",
    "no_tables",
    "shrunk",
    "fetch_error",
    "render_error",
    "extract_error",
)
CLAIM_EVENTS = ("added", "changed", "removed")

REVISIONS = Table(
    name="revisions",
    title="Revisions",
    description="One row per revision of the article in the range asked for, and what was "
    "done with it.",
    primary_key=("revid",),
    min_rows=1,
    max_rows=10_000_000,
    columns=(
        Column("revid", "int64", "MediaWiki revision id.", required=True, minimum=1),
        Column(
            "parentid",
            "int64",
            "The revision it was made on (0 for the page's first revision).",
            minimum=0,
        ),
        Column("timestamp", "timestamp", "When the revision was saved (UTC).", required=True),
        Column("sha1", "string", "MediaWiki's SHA-1 of the revision's wikitext."),
        Column(
            "size", "int64", "Size of the wikitext in bytes, as MediaWiki reports it.", minimum=0
        ),
        Column(
            "status",
            "string",
            "extracted (tables read from this revision), unchanged_sections (the sections the "
            "tables come from are byte-identical to the previous revision's: its rows were "
            "reused), identical (its sha1 equals an earlier revision's in range, named in "
            "identical_to_revid: that revision's rows are its rows, and it was never fetched), "
            "failed (could not be fetched or extracted after retries) or skipped (blanked or "
            "broken: left out of the timelines, see reason).",
            required=True,
            enum=REVISION_STATUSES,
        ),
        Column(
            "reason",
            "string",
            "Why a revision was skipped or failed: blanked (almost no text), no_tables (none of "
            "the claim tables found), shrunk (far smaller than its parent), fetch_error, "
            "render_error (the fetched HTML could not be read as text) or extract_error; for an "
            "identical revision, the reason of the revision it repeats when that one was "
            "skipped or failed (a repeated vandalism changes nothing either); null otherwise.",
            enum=REVISION_REASONS,
        ),
        Column("detail", "string", "Human-readable detail: the error, sizes, key collisions."),
        Column(
            "base_revid",
            "int64",
            "The revision this one's claims were compared with (or reused from): the last "
            "revision that was extracted or unchanged; null for the first.",
            minimum=1,
        ),
        Column(
            "sections_sha1",
            "string",
            "SHA-1 of the text the claim tables are read from (the article body), to tell an "
            "edit that cannot change a table from one that can.",
        ),
        Column(
            "identical_to_revid",
            "int64",
            "For an identical revision: the latest earlier revision in range with the same "
            "sha1 (typically the revision a revert restores); null otherwise.",
            minimum=1,
        ),
    ),
)


def _history_columns(table: Table) -> tuple[Column, ...]:
    return (
        Column(
            "claim_key",
            "string",
            "Stable key of the claim across revisions (see transforms/history.py), never a "
            "line number or offset.",
            required=True,
        ),
        Column(
            "valid_from_revid",
            "int64",
            "First revision in which the article stated the claim with these values.",
            required=True,
            minimum=1,
        ),
        Column("valid_from", "timestamp", "Timestamp of valid_from_revid (UTC).", required=True),
        Column(
            "valid_to_revid",
            "int64",
            "First revision in which the claim no longer had these values (changed or "
            "removed); null while it still stands.",
            minimum=1,
        ),
        Column("valid_to", "timestamp", "Timestamp of valid_to_revid (UTC); null while open."),
    )


def history_table(table: Table) -> Table:
    """``<table>_history``: the table's own columns (as read in valid_from_revid, citations and
    quote included) and the span of revisions they held unchanged."""
    return Table(
        name=f"{table.name}_history",
        title=f"{table.title} through time",
        description="One row per claim and span of revisions it held unchanged. "
        + table.description,
        primary_key=("claim_key", "valid_from_revid"),
        min_rows=0,
        max_rows=10_000_000,
        # A value unique in one revision repeats across a claim's spans.
        columns=(
            *(dataclasses.replace(c, unique=False) for c in table.columns),
            *_history_columns(table),
        ),
    )


CLAIM_TABLES = ("designations", "electoral_history", "membership_estimates")
# Tables a history follows through time: the claims, and the references they cite (keyed by
# ref_key, so that a renumbering moves nothing).
TIMELINE_TABLES = (*CLAIM_TABLES, "references")

CLAIM_EVENTS_TABLE = Table(
    name="claim_events",
    title="Claim events",
    description="One row per change of a claim between two consecutive extracted revisions, "
    "in the order replay applies them.",
    primary_key=("seq",),
    min_rows=0,
    max_rows=100_000_000,
    columns=(
        Column("seq", "int64", "Order of the event in the history (replay order).", required=True),
        Column("revid", "int64", "The revision that made the change.", required=True, minimum=1),
        Column(
            "parentid",
            "int64",
            "That revision's parent, for the diff link index.php?diff=<revid>&oldid=<parentid>.",
            minimum=0,
        ),
        Column(
            "base_revid",
            "int64",
            "The revision the claim was compared with; differs from parentid when skipped or "
            "failed revisions lie between them.",
            minimum=1,
        ),
        Column("timestamp", "timestamp", "When revid was saved (UTC).", required=True),
        Column(
            "table",
            "string",
            "The claim table, or references (a source added, removed or changed in what it "
            "cites; claim_key is its ref_key).",
            required=True,
            enum=TIMELINE_TABLES,
        ),
        Column("claim_key", "string", "The claim's stable key.", required=True),
        Column("event", "string", "What happened to the claim.", required=True, enum=CLAIM_EVENTS),
        Column(
            "column",
            "string",
            "For changed: the column whose value changed; null for added and removed.",
        ),
        Column(
            "old_value",
            "string",
            "For changed: the value before, as text (ISO dates, `;`-joined lists, true/false); "
            "for removed: the claim's values as a JSON object.",
        ),
        Column(
            "new_value",
            "string",
            "For changed: the value after; for added: the claim's values as a JSON object.",
        ),
    ),
)

HISTORY_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REVISIONS,
        *(history_table(TABLES[name]) for name in TIMELINE_TABLES),
        CLAIM_EVENTS_TABLE,
    )
}


def to_frame(table: Table, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a DataFrame with exactly the declared columns, in order, cast to declared dtypes.

    Unknown keys are an error: a typo in an extractor must not silently drop a value.
    """
    rows = list(rows)
    names = set(table.column_names)
    for row in rows:
        if not names.issuperset(row):
            unknown = set(row) - names
            raise KeyError(f"{table.name}: undeclared column(s) {sorted(unknown)}")
    return pd.DataFrame(
        {c.name: _typed_column([row.get(c.name) for row in rows], c) for c in table.columns}
    )


def _typed_column(values: list[Any], column: Column):
    """The column built in its declared dtype at once (cheaper than object, then astype)."""
    if column.is_list:
        return pd.Series([column.list_value(v) for v in values], dtype="object")
    if column.type == "date":
        return _date_column(values)
    if column.type == "timestamp":
        return pd.Series(pd.to_datetime(values, utc=True, errors="raise")).astype(
            "datetime64[s, UTC]"
        )
    if column.type == "float64":
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
    return pd.array(values, dtype=_dtype(column.pandas_dtype))


@functools.cache
def _dtype(name: str):
    """The pandas dtype object for a name (resolving the name costs more than the column)."""
    return pandas_dtype(name)


def _date_column(values: list[Any]) -> pd.Series:
    """Calendar dates as datetime64[s]: from day numbers when every value is a date or None
    (ten times faster than parsing), otherwise through pandas' parser."""
    if all(v is None or type(v) is dt.date for v in values):
        days = np.array(
            [NAT_INT if v is None else v.toordinal() - UNIX_EPOCH_ORDINAL for v in values],
            dtype="int64",
        )
        seconds = np.where(days == NAT_INT, NAT_INT, days * SECONDS_PER_DAY)
        return pd.Series(seconds.view("datetime64[s]"))
    return pd.Series(pd.to_datetime(values, errors="raise")).astype("datetime64[s]")


def arrow_type(column: Column):
    return {
        "string": pa.string(),
        "int16": pa.int16(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("s", tz="UTC"),
        "list<int32>": pa.list_(pa.int32()),
        "list<string>": pa.list_(pa.string()),
    }[column.type]


def arrow_schema(table: Table):
    """The Parquet schema: declared types, nullability and descriptions in field metadata."""
    fields = [
        pa.field(
            c.name,
            arrow_type(c),
            nullable=not c.required,
            metadata={"description": c.description},
        )
        for c in table.columns
    ]
    return pa.schema(
        fields,
        metadata={
            "table": table.name,
            "description": table.description,
            "primary_key": ",".join(table.primary_key),
            "schema_version": SCHEMA_VERSION,
        },
    )


def frictionless_schema(table: Table, file_format: str = "csv") -> dict[str, Any]:
    """Frictionless Table Schema for the table's CSV resource, or for its Parquet file
    (``file_format="parquet"``), where a list is a list, not ``;``-joined text, and an empty
    string is a value, not a missing one."""
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"no Frictionless schema for format {file_format!r}")
    fields = []
    for c in table.columns:
        is_list = c.is_list
        entry: dict[str, Any] = {
            "name": c.name,
            "type": "array" if is_list and file_format == "parquet" else c.frictionless_type,
            "description": c.description,
        }
        constraints: dict[str, Any] = {}
        if c.required:
            constraints["required"] = True
        if c.enum:
            constraints["enum"] = list(c.enum)
        if c.minimum is not None and c.type != "date":
            constraints["minimum"] = c.minimum
        if c.maximum is not None and c.type != "date":
            constraints["maximum"] = c.maximum
        if is_list and file_format == "csv":
            constraints["pattern"] = CSV_LIST_PATTERNS[c.type]
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    missing = [""] if file_format == "csv" else []
    return {"fields": fields, "primaryKey": list(table.primary_key), "missingValues": missing}


# A list cell of a CSV file: its elements joined by LIST_SEPARATOR, empty for an empty list.
CSV_LIST_PATTERNS = {
    "list<int32>": r"(\d+(;\d+)*)?",
    "list<string>": r"([^;]+(;[^;]+)*)?",
}


def data_dictionary_markdown(history: bool = False) -> str:
    """docs/data-dictionary.md's tables (of releases, or of history releases), generated so
    they can never drift from the schema."""
    parts = [f"Schema version {SCHEMA_VERSION}.\n"]
    for table in (HISTORY_TABLES if history else TABLES).values():
        parts.append(
            f"### `{table.name}`\n\n{table.description} "
            f"Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}.\n"
        )
        parts.append("| column | type | required | description |\n|---|---|---|---|")
        for c in table.columns:
            description = c.description
            if c.enum:
                description += " Allowed: " + ", ".join(f"`{v}`" for v in c.enum) + "."
            if c.csv_note:
                description += f" ({c.csv_note})"
            required = "yes" if c.required else ""
            parts.append(
                f"| `{c.name}` | {c.type} | {required} | {description.replace('|', '/')} |"
            )
        parts.append("")
    return "\n".join(parts)
