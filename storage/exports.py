"""Exports of a release for the tools its users already have (DATA_CONTRACT.md, "The record"):

- ``entities.ftm.json``: FollowTheMoney entities, one JSON object per line, made with the
  ``followthemoney`` library's own model (so OpenSanctions' yente, Aleph and the ``ftm`` tools
  read them): an ``Organization`` for the group and one ``Sanction`` per listing row.
- ``wikidata.qs``: QuickStatements V1 (tab-separated) for a Wikidata reviewer: one ``P3461``
  (designated as terrorist by) statement per terrorist designation, with ``P580``/``P582`` and a
  reference on every line: ``S854`` the act's URL where the record has one, ``S4656`` the
  revision permalink (the source URL the release records) for what only the article says.

QuickStatements V1 has no comment syntax a reviewer could trust, so what was left out (an
authority or the group without a sourced Q-id, a statement without any URL to cite) is returned
as notes: the datapackage and the report carry them (docs/exports.md explains).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mekdata.layout import FTM_FILE, QS_FILE
from transforms.dates import format_date

# How each export is described as a (non-tabular) datapackage resource.
EXPORT_FORMATS: dict[str, dict[str, str]] = {
    FTM_FILE: {
        "name": "entities-ftm",
        "title": "FollowTheMoney entities",
        # FtM's own entity stream (JSON lines); not "ndjson", which Frictionless would try to
        # read as a table.
        "format": "ftm",
        "mediatype": "application/x-ndjson",
        "encoding": "utf-8",
        "description": "The group as an FtM Organization and one Sanction per listing period "
        "(the record's dates and act where one is on record, else the article's), one JSON "
        "entity per line; load with the ftm tools (docs/exports.md).",
    },
    QS_FILE: {
        "name": "wikidata-quickstatements",
        "title": "Wikidata QuickStatements (V1)",
        "format": "qs",
        "mediatype": "text/tab-separated-values",
        "encoding": "utf-8",
        "description": "P3461 (designated as terrorist by) statements with P580/P582 and a "
        "reference on every line, for a reviewer to check and paste into QuickStatements "
        "(docs/exports.md).",
    },
}
NAMESPACE = "mekdata"
# Rows that list the group; a description (a body calling it terrorist) is no sanction.
SANCTION_KINDS = ("terrorist_designation", "sanctions_list")
# Only a designation as terrorist is a P3461 statement.
P3461_KINDS = ("terrorist_designation",)
DESIGNATED_AS_TERRORIST_BY = "P3461"
START_TIME = "P580"
END_TIME = "P582"
REFERENCE_URL = "S854"
WIKIMEDIA_IMPORT_URL = "S4656"
PROPERTIES_USED = ("P3461", "P580", "P582", "P854", "P4656")
# Wikidata's time precisions.
QS_PRECISION = {"day": 11, "month": 10, "year": 9}
GROUP_KEY = "group"


@dataclass(frozen=True)
class ArticleSource:
    """What the exports say of the article: the group's names and the URL to cite for what only
    the article states (the revision permalink, else the source URL the release records)."""

    name: str
    aliases: tuple[str, ...] = ()
    url: str | None = None


@dataclass
class Exports:
    files: dict[str, bytes]
    notes: dict[str, list[str]] = field(default_factory=dict)  # file name -> what was left out


def build_exports(
    tables: Mapping[str, pd.DataFrame],
    article: ArticleSource,
    wikidata_items: Mapping[str, str],
) -> Exports:
    """Both exports' bytes and notes from a release's ``designations`` and ``official_acts``.
    ``wikidata_items``: key (authority code or "group") -> Q-id, from the reviewed table."""
    designations = with_act_details(tables["designations"], tables["official_acts"])
    entities = ftm_entities(designations, article)
    statements, skipped = quickstatements(designations, article, wikidata_items)
    return Exports(
        files={FTM_FILE: ftm_bytes(entities), QS_FILE: statements.encode("utf-8")},
        notes={FTM_FILE: _ftm_notes(designations), QS_FILE: skipped},
    )


# --- FollowTheMoney ----------------------------------------------------------------------


def ftm_entities(designations: pd.DataFrame, article: ArticleSource) -> list[Any]:
    """The Organization, then one Sanction per listing row, as ``followthemoney`` proxies."""
    # Only when exporting: followthemoney takes 0.9 s to import (measured 2026-12-07), and
    # the unchanged check imports this module through storage/publish.py.
    from followthemoney import model

    organization = model.make_entity("Organization")
    organization.make_id(NAMESPACE, "organization", article.name)
    organization.add("name", article.name)
    organization.add("alias", list(article.aliases))
    if article.url:
        organization.add("sourceUrl", article.url)
    entities = [organization]
    for row in _records(designations):
        if row["listing_kind"] not in SANCTION_KINDS:
            continue
        sanction = model.make_entity("Sanction")
        sanction.make_id(NAMESPACE, "sanction", row["designation_id"])
        sanction.add("entity", organization.id)
        sanction.add("recordId", row["designation_id"])
        sanction.add("authority", row["authority"])
        sanction.add("country", row["authority_code"].lower())
        sanction.add("program", _program(row) or row["listing_detail"])
        sanction.add("provisions", row["listing_kind"].replace("_", " "))
        sanction.add("status", row["status"])
        start = _date_value(row, "listed")
        end = _date_value(row, "delisted")
        sanction.add("listingDate", start)
        sanction.add("startDate", start)
        sanction.add("endDate", end)
        sanction.add("sourceUrl", row["record_url"] or article.url)
        if row["record_url"] and article.url:
            sanction.add("sourceUrl", article.url)
        sanction.add("summary", row["quote"])
        sanction.add("description", _record_description(row))
        entities.append(sanction)
    return entities


def ftm_bytes(entities: Iterable[Any]) -> bytes:
    """One entity per line, keys sorted: the same data gives the same bytes."""
    return "".join(
        json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        for entity in entities
    ).encode("utf-8")


def _program(row: Mapping[str, Any]) -> str | None:
    """The program of the listing act on record, else none (the article names none)."""
    return row.get("record_program")


def _date_value(row: Mapping[str, Any], event: str) -> str | None:
    """The record's day where one is on record, else the article's date at its precision
    (FtM dates take prefixes: "2002-05", "1981")."""
    recorded = row[f"record_{event}_on"]
    if recorded is not None:
        return recorded.isoformat()
    value = row[f"{event}_on"]
    if value is None:
        return None
    precision = row[f"{event}_on_precision"] or "day"
    return {"day": value.isoformat(), "month": value.strftime("%Y-%m"), "year": str(value.year)}[
        precision
    ]


def _record_description(row: Mapping[str, Any]) -> str | None:
    """The article's dates beside the record's, in words, where a record exists."""
    if row["record_agrees"] is None and row["record_url"] is None:
        return None
    article = _span(
        row["listed_on"],
        row["listed_on_precision"],
        row["delisted_on"],
        row["delisted_on_precision"],
    )
    record = _span(row["record_listed_on"], "day", row["record_delisted_on"], "day")
    verdict = {True: "agrees", False: "disagrees", None: "cannot be compared"}[row["record_agrees"]]
    return (
        f"The article gives {article}; the official record gives {record} "
        f"({', '.join(a for a in (row['record_listing_act'], row['record_delisting_act']) if a)}): "
        f"the article {verdict}."
    )


def _span(start, start_precision, end, end_precision) -> str:
    first = format_date(start, start_precision) if start is not None else "no start"
    last = format_date(end, end_precision) if end is not None else "no end"
    return f"{first} to {last}"


def _ftm_notes(designations: pd.DataFrame) -> list[str]:
    return [
        f"{row['designation_id']}: a {row['listing_kind'].replace('_', ' ')} row "
        f"({row['authority']}), not a sanction: left out."
        for row in _records(designations)
        if row["listing_kind"] not in SANCTION_KINDS
    ]


# --- QuickStatements ---------------------------------------------------------------------


def qs_time(value: dt.date, precision: str) -> str:
    """Wikidata's time format: +1997-10-08T00:00:00Z/11 (day), +2002-05-00T00:00:00Z/10 (month),
    +1981-00-00T00:00:00Z/9 (year)."""
    if precision == "day":
        stamp = value.isoformat()
    elif precision == "month":
        stamp = f"{value.year:04d}-{value.month:02d}-00"
    elif precision == "year":
        stamp = f"{value.year:04d}-00-00"
    else:
        raise ValueError(f"unknown precision {precision!r}")
    return f"+{stamp}T00:00:00Z/{QS_PRECISION[precision]}"


def _qs_string(value: str) -> str:
    return '"' + value.replace('"', "%22") + '"'


def quickstatements(
    designations: pd.DataFrame, article: ArticleSource, wikidata_items: Mapping[str, str]
) -> tuple[str, list[str]]:
    """The V1 commands, one statement per line, and what was skipped and why."""
    skipped: list[str] = []
    group = wikidata_items.get(GROUP_KEY)
    lines: list[str] = []
    seen: dict[str, str] = {}
    for row in _records(designations):
        if row["listing_kind"] not in P3461_KINDS or row["status"] == "other":
            continue
        label = f"{row['designation_id']} ({row['authority']})"
        if group is None:
            if not skipped:
                skipped.append(
                    "The group has no sourced Wikidata Q-id (the reviewed table's item "
                    f"{GROUP_KEY!r}): no statement can name its subject, so none is written."
                )
            continue
        authority = wikidata_items.get(row["authority_code"])
        if authority is None:
            skipped.append(
                f"{label}: the authority {row['authority_code']} has no sourced Wikidata Q-id."
            )
            continue
        qualifiers, sources = _dates_and_sources(row, article)
        if not sources:
            skipped.append(f"{label}: neither the record nor the article has a URL to cite.")
            continue
        cells = [group, DESIGNATED_AS_TERRORIST_BY, authority, *qualifiers, *sources]
        if authority in seen:
            # QuickStatements would merge this period's qualifiers into the first period's
            # statement (same property, same value), so pasting it would corrupt both.
            skipped.append(
                f"{label}: a second listing period by {authority}, left out of the file: "
                f"QuickStatements would add its dates to the {seen[authority]} statement. "
                f"Add it by hand as a second statement: {' | '.join(cells)}"
            )
            continue
        seen[authority] = row["designation_id"]
        lines.append("\t".join(cells))
    return "".join(line + "\n" for line in lines), skipped


def _dates_and_sources(
    row: Mapping[str, Any], article: ArticleSource
) -> tuple[list[str], list[str]]:
    """Qualifiers (the record's day where on record, else the article's date at its
    precision) and the reference: each act's URL used, the article's when it gave a date."""
    qualifiers: list[str] = []
    urls: list[tuple[str, str]] = []
    article_used = False
    for event, prop in (("listed", START_TIME), ("delisted", END_TIME)):
        recorded = row[f"record_{event}_on"]
        if recorded is not None:
            qualifiers += [prop, qs_time(recorded, "day")]
            act_url = row[f"record_{event}_act_url"]
            if act_url and (REFERENCE_URL, act_url) not in urls:
                urls.append((REFERENCE_URL, act_url))
        elif row[f"{event}_on"] is not None:
            precision = row[f"{event}_on_precision"] or "day"
            qualifiers += [prop, qs_time(row[f"{event}_on"], precision)]
            article_used = True
    if (article_used or not urls) and article.url:
        urls.append((WIKIMEDIA_IMPORT_URL, article.url))
    sources = [cell for prop, url in urls for cell in (prop, _qs_string(url))]
    return qualifiers, sources


# --- rows as plain values ----------------------------------------------------------------


def _records(designations: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows with None for missing values and dates as ``datetime.date``."""
    records = []
    for record in designations.to_dict("records"):
        plain = {}
        for name, value in record.items():
            if isinstance(value, list):
                plain[name] = value
            elif pd.isna(value):
                plain[name] = None
            elif isinstance(value, pd.Timestamp):
                plain[name] = value.date()
            elif hasattr(value, "item"):
                plain[name] = value.item()
            else:
                plain[name] = value
        records.append(plain)
    return records


def with_act_details(designations: pd.DataFrame, official_acts: pd.DataFrame) -> pd.DataFrame:
    """``designations`` plus each chosen act's URL and the listing act's program
    (``record_listed_act_url``, ``record_delisted_act_url``, ``record_program``), joined from
    ``official_acts``: what the exports cite per date."""
    acts = {r["act_id"]: r for r in official_acts.to_dict("records")}
    frame = designations.copy()

    def pick(column: str, field_name: str) -> list[Any]:
        return [
            None if pd.isna(act_id) or act_id not in acts else acts[act_id][field_name]
            for act_id in frame[column]
        ]

    frame["record_listed_act_url"] = pick("record_listing_act_id", "url")
    frame["record_delisted_act_url"] = pick("record_delisting_act_id", "url")
    frame["record_program"] = pick("record_listing_act_id", "program")
    return frame
