"""Exports: FollowTheMoney entities validated by the followthemoney library itself (and its
``ftm`` command), QuickStatements V1 parsed line by line, both published in a release."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME, replace_once

from mekdata.layout import EXPORT_FILES, FTM_FILE, QS_FILE
from storage.exports import (
    PROPERTIES_USED,
    ArticleSource,
    build_exports,
    qs_time,
)
from storage.publish import publish_release
from transforms import extract_all
from transforms.group import group_identity
from transforms.official_acts import WIKIDATA_ITEMS, WIKIDATA_PROPERTIES

ARTICLE_URL = "https://en.wikipedia.org/w/index.php?title=Example&oldid=123"
ITEM_RE = re.compile(r"^Q[1-9]\d*$")
TIME_RE = re.compile(r"^\+\d{4}-\d{2}-\d{2}T00:00:00Z/(9|10|11)$")
URL_RE = re.compile(r'^"https?://[^"\s]+"$')
FTM_BIN = Path(sys.executable).with_name("ftm")
# A group item for the tests only: the reviewed table has none yet (docs/record.md).
TEST_GROUP_QID = "Q4242"


def reviewed_items() -> dict[str, str]:
    return {item.key: item.qid for item in WIKIDATA_ITEMS}


@pytest.fixture(scope="module")
def exports(tables, article_text):
    identity = group_identity(article_text, "People's Mujahedin of Iran")
    return build_exports(
        tables, ArticleSource(identity.name, identity.aliases, ARTICLE_URL), reviewed_items()
    )


def ftm_records(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_ftm_entities_are_valid_followthemoney(exports, tables):
    from followthemoney import model

    records = ftm_records(exports.files[FTM_FILE])
    assert records, "no entities"
    for record in records:
        proxy = model.get_proxy(record, cleaned=False)
        schema = proxy.schema
        assert schema.validate(record) is None
        assert set(record["properties"]) <= set(schema.properties), record
        for required in schema.required:
            assert record["properties"].get(required), (schema.name, required)
        # Cleaning by the library changes nothing: every value is valid for its type.
        assert proxy.to_dict()["properties"] == record["properties"]
    organizations = [r for r in records if r["schema"] == "Organization"]
    sanctions = [r for r in records if r["schema"] == "Sanction"]
    assert len(organizations) == 1 and len(records) == 1 + len(sanctions)
    (organization,) = organizations
    assert organization["properties"]["name"] == ["People's Mujahedin of Iran"]
    listing_rows = tables["designations"][tables["designations"]["listing_kind"] != "description"]
    assert sorted(s["properties"]["recordId"][0] for s in sanctions) == sorted(
        listing_rows["designation_id"]
    )
    for sanction in sanctions:
        assert sanction["properties"]["entity"] == [organization["id"]]
        assert sanction["properties"]["sourceUrl"]


def test_sanctions_carry_the_record_where_there_is_one(exports, tables):
    by_id = {
        s["properties"]["recordId"][0]: s["properties"]
        for s in ftm_records(exports.files[FTM_FILE])
        if s["schema"] == "Sanction"
    }
    for row in tables["designations"].to_dict("records"):
        if row["designation_id"] not in by_id:
            continue
        properties = by_id[row["designation_id"]]
        if not pd.isna(row["record_listed_on"]):
            assert properties["startDate"] == [row["record_listed_on"].date().isoformat()]
            assert properties["sourceUrl"][0] == row["record_url"]
        elif not pd.isna(row["listed_on"]):
            assert (
                properties["startDate"][0]
                == row["listed_on"]
                .date()
                .isoformat()[: {"day": 10, "month": 7, "year": 4}[row["listed_on_precision"]]]
            )
        if not pd.isna(row["record_delisted_on"]):
            assert properties["endDate"] == [row["record_delisted_on"].date().isoformat()]
        agrees = row["record_agrees"]
        if not pd.isna(agrees) and not agrees:
            assert "disagrees" in properties["description"][0]


def test_aliases_only_as_the_article_states_them(tables, article_text):
    stated = group_identity(article_text)
    assert stated.aliases and stated.alias_line is not None
    line = article_text.splitlines()[stated.alias_line - 1]
    assert all(alias in line for alias in stated.aliases)
    renamed = group_identity(replace_once(article_text, line, "AbbreviationXYZ, QRS[9]"))
    assert renamed.aliases == ("XYZ", "QRS")
    without = group_identity(replace_once(article_text, line, ""))
    assert without.aliases == ()
    records = ftm_records(
        build_exports(
            tables, ArticleSource(without.name, without.aliases, ARTICLE_URL), reviewed_items()
        ).files[FTM_FILE]
    )
    assert "alias" not in records[0]["properties"]


@pytest.mark.skipif(not FTM_BIN.exists(), reason="the followthemoney package ships no ftm CLI")
@pytest.mark.parametrize("command", ["validate", "aggregate"])
def test_ftm_cli_reads_the_file(exports, tmp_path, command):
    infile = tmp_path / FTM_FILE
    infile.write_bytes(exports.files[FTM_FILE])
    outfile = tmp_path / f"{command}.json"
    completed = subprocess.run(
        [str(FTM_BIN), command, "-i", str(infile), "-o", str(outfile)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    written = ftm_records(outfile.read_bytes())
    assert sorted(r["id"] for r in written) == sorted(
        r["id"] for r in ftm_records(exports.files[FTM_FILE])
    )


def test_ftm_cli_is_installed():
    """The CLI test above must not skip here: the package is a dependency."""
    assert FTM_BIN.exists() or shutil.which("ftm")


def parse_qs_line(line: str) -> dict:
    cells = line.split("\t")
    assert len(cells) >= 5 and len(cells) % 2 == 1, line
    subject, prop, value, *pairs = cells
    assert ITEM_RE.match(subject) and prop == "P3461" and ITEM_RE.match(value), line
    qualifiers, sources = {}, []
    for key, cell in zip(pairs[::2], pairs[1::2], strict=True):
        if key in ("P580", "P582"):
            assert TIME_RE.match(cell), cell
            assert key not in qualifiers, line
            qualifiers[key] = cell
        elif key in ("S854", "S4656"):
            assert URL_RE.match(cell), cell
            sources.append((key, cell.strip('"')))
        else:
            pytest.fail(f"unexpected property {key} in {line!r}")
    assert sources, f"statement without a reference: {line!r}"
    return {"subject": subject, "value": value, "qualifiers": qualifiers, "sources": sources}


def test_quickstatements_parse_and_cite(exports, tables):
    text = exports.files[QS_FILE].decode("utf-8")
    assert text.endswith("\n") and "/*" not in text
    statements = [parse_qs_line(line) for line in text.splitlines()]
    items = reviewed_items()
    authorities = {v: k for k, v in items.items() if k != "group"}
    rows = tables["designations"]
    designated = rows[
        (rows["listing_kind"] == "terrorist_designation")
        & (rows["status"] != "other")
        & rows["authority_code"].isin(list(authorities.values()))
    ].drop_duplicates("authority_code")  # a second period goes to the notes
    assert len(statements) == len(designated)
    acts = tables["official_acts"].set_index("act_id")
    for statement, row in zip(statements, designated.to_dict("records"), strict=True):
        assert statement["subject"] == items["group"]
        assert authorities[statement["value"]] == row["authority_code"]
        urls = [url for _, url in statement["sources"]]
        if not pd.isna(row["record_listed_on"]):
            assert statement["qualifiers"]["P580"] == qs_time(row["record_listed_on"].date(), "day")
            assert acts.loc[row["record_listing_act_id"], "url"] in urls
            assert ("S854", acts.loc[row["record_listing_act_id"], "url"]) in statement["sources"]
        elif not pd.isna(row["listed_on"]):
            assert statement["qualifiers"]["P580"] == qs_time(
                row["listed_on"].date(), row["listed_on_precision"]
            )
            assert ("S4656", ARTICLE_URL) in statement["sources"]
        if not pd.isna(row["record_delisted_on"]):
            assert statement["qualifiers"]["P582"] == qs_time(
                row["record_delisted_on"].date(), "day"
            )


def test_a_second_period_by_one_authority_is_left_for_the_reviewer(tables):
    """QuickStatements merges a line into the statement of the same value, so each authority
    is stated once; a second listing period is given in the notes as a command to add by hand."""
    built = build_exports(tables, ArticleSource("X", (), ARTICLE_URL), reviewed_items())
    statements = [parse_qs_line(line) for line in built.files[QS_FILE].decode().splitlines()]
    values = [s["value"] for s in statements]
    assert len(values) == len(set(values))
    rows = tables["designations"]
    listed = rows[(rows["listing_kind"] == "terrorist_designation") & (rows["status"] != "other")]
    twice = listed["authority_code"].value_counts().loc[lambda n: n > 1].index
    assert len(twice) > 0, "the bundled article lists one authority in two periods"
    for code in twice:
        qid = reviewed_items()[code]
        (note,) = [n for n in built.notes[QS_FILE] if f"P3461 | {qid}" in n]
        assert "second listing period" in note


def test_without_sourced_items_nothing_is_guessed(tables):
    built = build_exports(tables, ArticleSource("X", (), ARTICLE_URL), {"US": "Q30"})
    assert built.files[QS_FILE] == b""
    assert any("group" in note for note in built.notes[QS_FILE])
    only_us = build_exports(
        tables, ArticleSource("X", (), ARTICLE_URL), {"group": TEST_GROUP_QID, "US": "Q30"}
    )
    lines = only_us.files[QS_FILE].decode().splitlines()
    assert [line.split("\t")[2] for line in lines] == ["Q30"]
    assert any("GB has no sourced Wikidata Q-id" in n for n in only_us.notes[QS_FILE])


def test_the_properties_used_are_reviewed():
    reviewed = {p.qid for p in WIKIDATA_PROPERTIES}
    assert set(PROPERTIES_USED) <= reviewed
    for item in WIKIDATA_ITEMS:
        assert ITEM_RE.match(item.qid) and item.source_url.startswith("http")


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        pytest.param(dt.date(1997, 10, 8), "day", "+1997-10-08T00:00:00Z/11", id="day"),
        pytest.param(dt.date(2002, 5, 1), "month", "+2002-05-00T00:00:00Z/10", id="month"),
        pytest.param(dt.date(1981, 1, 1), "year", "+1981-00-00T00:00:00Z/9", id="year"),
    ],
)
def test_qs_time(day, precision, expected):
    assert qs_time(day, precision) == expected


def test_an_edited_article_date_reaches_the_exports(article_text):
    """Read, not recited: the article's Canada listing date moved to a year with no act."""
    old = "Canada Designated on 24 May 2005"
    edited = replace_once(article_text, old, "Canada Designated in 1999")
    tables = extract_all(edited)
    row = tables["designations"].set_index("designation_id").loc["ca"]
    built = build_exports(tables, ArticleSource("X", (), ARTICLE_URL), reviewed_items())
    (line,) = [
        parse_qs_line(line)
        for line in built.files[QS_FILE].decode().splitlines()
        if line.split("\t")[2] == reviewed_items()["CA"]
    ]
    if pd.isna(row["record_listed_on"]):
        assert line["qualifiers"]["P580"] == "+1999-00-00T00:00:00Z/9"
    else:  # the record's day stands; the article's year is a conflict
        assert not row["record_agrees"]


def test_a_release_holds_the_exports(tables, source, tmp_path):
    result = publish_release(tables, source, PASSED_VALIDATION, tmp_path, now=RELEASE_TIME)
    folder = result.path
    sums = (folder / "SHA256SUMS").read_text()
    package = json.loads((folder / "datapackage.json").read_text())
    resources = {r["path"]: r for r in package["resources"]}
    index = json.loads((tmp_path / "index.json").read_text())
    listed = {f["path"] for f in index["versions"][-1]["files"]}
    for name in EXPORT_FILES:
        assert (folder / name).exists()
        assert f"  {name}\n" in sums and name in listed
        assert resources[name]["mediatype"] and isinstance(resources[name]["mekdata:notes"], list)
    catalog = (tmp_path / "index.html").read_text()
    assert FTM_FILE in catalog and QS_FILE in catalog
    report = (folder / "report.html").read_text()
    assert "id='exports'" in report and "id='the-record'" in report
    for note in resources[QS_FILE]["mekdata:notes"]:
        assert html.escape(note) in report
    statements = [parse_qs_line(line) for line in (folder / QS_FILE).read_text().splitlines()]
    # The bundled copy has no page item of its own: the reviewed table's group item is the
    # subject of every statement, so a reviewer can paste the file as it is.
    group = {item.key: item.qid for item in WIKIDATA_ITEMS}["group"]
    assert statements and {s["subject"] for s in statements} == {group}
    reviewed = {item.qid for item in WIKIDATA_ITEMS if item.key != "group"}
    assert {s["value"] for s in statements} <= reviewed
    assert reviewed_items()["US"] in {s["value"] for s in statements}
