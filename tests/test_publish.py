"""Publishing: real Parquet and CSV files read back by pyarrow and DuckDB; immutable, atomic,
idempotent releases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME, snapshot

from ingestion.source import BUNDLED_SOURCE
from mekdata.errors import PublishError
from mekdata.layout import EXPORT_FILES
from storage.output_folder import next_version
from storage.publish import publish_release
from transforms.schema import TABLES


@pytest.fixture(scope="module")
def release(tables, source, tmp_path_factory):
    output = tmp_path_factory.mktemp("output")
    result = publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    return output, result


def test_release_layout(release):
    output, result = release
    assert result.status == "published" and result.version == "2026.11.27"
    folder = output / "releases" / "2026.11.27"
    for name in TABLES:
        assert (folder / f"{name}.parquet").is_file() and (folder / f"{name}.csv").is_file()
    for name in (
        "datapackage.json",
        "SHA256SUMS",
        "validation.json",
        "reference_coverage.json",
        "CHANGES.md",
        "changes.json",
        "source/peoples-mujahedin-of-iran.txt",
        "source/metadata.json",
    ):
        assert (folder / name).is_file(), name
    latest = json.loads((output / "latest.json").read_text())
    assert latest["version"] == "2026.11.27" and latest["path"] == "releases/2026.11.27/"
    index = json.loads((output / "index.json").read_text())
    entry = index["versions"][-1]
    assert entry["source_sha256"] == hashlib.sha256(BUNDLED_SOURCE.read_bytes()).hexdigest()
    assert entry["row_counts"]["designations"] == 10
    assert not [p for p in output.iterdir() if p.name.startswith(".staging")]


def test_reference_coverage_in_release_and_report(release, tables):
    output, _ = release
    folder = output / "releases" / "2026.11.27"
    coverage = json.loads((folder / "reference_coverage.json").read_text())
    assert coverage["references"] == len(tables["references"])
    isbn = coverage["fields"]["isbn"]
    assert isbn["present"] >= isbn["read_where_present"] > 0
    assert "reference_coverage.json" in (folder / "SHA256SUMS").read_text()
    report = (folder / "report.html").read_text()
    assert "id='reference-coverage'" in report and "<code>archived_on</code>" in report


def test_checksums_verify(release):
    output, _ = release
    folder = output / "releases" / "2026.11.27"
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len([p for p in folder.rglob("*") if p.is_file()]) - 1
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    index = json.loads((output / "index.json").read_text())
    for entry in index["versions"][-1]["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"])


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_reads_back_with_declared_schema(release, tables, name):
    output, _ = release
    table = pq.read_table(output / "releases" / "2026.11.27" / f"{name}.parquet")
    assert table.schema.names == TABLES[name].column_names
    assert table.num_rows == len(tables[name])
    for field in table.schema:
        assert field.metadata[b"description"]


def test_duckdb_reads_parquet_and_csv_alike(release):
    output, _ = release
    folder = output / "releases" / "2026.11.27"
    con = duckdb.connect()
    parquet = con.execute(
        f"select authority, listed_on, delisted_on, citations from "
        f"read_parquet('{folder}/designations.parquet') order by designation_id"
    ).fetchall()
    csv_rows = con.execute(
        f"select authority, listed_on, delisted_on, "
        f"list_transform(string_split(citations, ';'), lambda x: x::INTEGER) from "
        f"read_csv('{folder}/designations.csv', header=true, "
        f"types={{'listed_on': 'DATE', 'delisted_on': 'DATE', 'citations': 'VARCHAR'}}) "
        f"order by designation_id"
    ).fetchall()
    assert parquet == csv_rows
    assert ("United States", dt.date(1997, 7, 8), dt.date(2012, 9, 28), [293]) in parquet
    years = con.execute(
        f"select authority, date_diff('year', listed_on, delisted_on) from "
        f"read_parquet('{folder}/designations.parquet') where authority = 'United Kingdom'"
    ).fetchone()
    assert years == ("United Kingdom", 7)


def test_csv_is_rfc4180(release):
    output, _ = release
    data = (output / "releases" / "2026.11.27" / "designations.csv").read_bytes()
    assert data.startswith(b"designation_id,authority,")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")[:200]
    assert b"293\r\n" not in data  # lists are ;-joined inside a cell, never bare
    data.decode("utf-8")


def test_datapackage(release):
    output, _ = release
    folder = output / "releases" / "2026.11.27"
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-SA-4.0"
    assert package["sources"][0]["path"].startswith("https://en.wikipedia.org/")
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        if resource["profile"] == "data-resource":  # an export: described, not a table
            assert resource["path"] in EXPORT_FILES
            assert resource["format"] and resource["mediatype"]
            continue
        assert resource["schema"]["primaryKey"] == list(TABLES[resource["name"]].primary_key)
    exported = [r["path"] for r in package["resources"] if r["profile"] == "data-resource"]
    assert sorted(exported) == sorted(EXPORT_FILES)
    sums = (folder / "SHA256SUMS").read_text()
    for name in EXPORT_FILES:
        assert f"  {name}\n" in sums


def test_unchanged_rerun_changes_no_byte(release, tables, source):
    output, _ = release
    before = snapshot(output)
    result = publish_release(
        tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME + dt.timedelta(hours=1)
    )
    assert result.status == "unchanged" and result.version == "2026.11.27"
    assert snapshot(output) == before


def test_same_input_same_bytes(tables, source, tmp_path):
    first = publish_release(tables, source, PASSED_VALIDATION, tmp_path / "a", now=RELEASE_TIME)
    second = publish_release(tables, source, PASSED_VALIDATION, tmp_path / "b", now=RELEASE_TIME)
    for name in TABLES:
        for suffix in (".parquet", ".csv"):
            assert (first.path / f"{name}{suffix}").read_bytes() == (
                second.path / f"{name}{suffix}"
            ).read_bytes()


def test_changed_data_publishes_a_new_version_with_changes(tables, source, tmp_path):
    output = tmp_path / "out"
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    altered = dict(tables)
    frame = tables["electoral_history"].copy()
    frame.loc[frame.index[4], "seats_won"] = 2
    altered["electoral_history"] = frame
    result = publish_release(altered, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    assert result.status == "published" and result.version == "2026.11.27.1"
    changes = json.loads((result.path / "changes.json").read_text())
    changed = changes["tables"]["electoral_history"]["changed"]
    assert changed == [
        {
            "key": "year=1980, election=Parliamentary elections",
            "fields": {"seats_won": {"old": 0, "new": 2}},
        }
    ]
    assert "`seats_won` 0 → 2" in (result.path / "CHANGES.md").read_text()
    versions = [v["version"] for v in json.loads((output / "index.json").read_text())["versions"]]
    assert versions == ["2026.11.27", "2026.11.27.1"]


def test_failure_before_rename_leaves_nothing(tables, source, tmp_path):
    output = tmp_path / "out"
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    before = snapshot(output)
    altered = dict(tables)
    altered["notes"] = tables["notes"].iloc[0:0]

    def explode(staging: Path) -> None:
        assert (staging / "SHA256SUMS").exists()
        raise OSError("disk full (injected)")

    with pytest.raises(OSError, match="injected"):
        publish_release(
            altered, source, PASSED_VALIDATION, output, now=RELEASE_TIME, before_rename=explode
        )
    assert snapshot(output) == before
    assert not [p for p in output.iterdir() if p.name.startswith(".staging")]


def test_unwritable_output(tables, source, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PublishError, match="not writable"):
        publish_release(tables, source, PASSED_VALIDATION, blocker / "out", now=RELEASE_TIME)


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param([], "2026.11.27", id="first"),
        pytest.param(["2026.11.26"], "2026.11.27", id="new-day"),
        pytest.param(["2026.11.27"], "2026.11.27.1", id="second-same-day"),
        pytest.param(["2026.11.27", "2026.11.27.1"], "2026.11.27.2", id="third-same-day"),
    ],
)
def test_next_version(existing, expected):
    assert next_version(existing, RELEASE_TIME.date()) == expected


def test_concurrent_runs_are_serialised(tables, source, tmp_path):
    import threading

    output = tmp_path / "out"
    variants = []
    for seats in (1, 2, 3):
        altered = dict(tables)
        frame = tables["electoral_history"].copy()
        frame.loc[frame.index[4], "seats_won"] = seats
        altered["electoral_history"] = frame
        variants.append(altered)
    results, errors = [], []

    def run(variant):
        try:
            results.append(
                publish_release(variant, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
            )
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(v,)) for v in variants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.version for r in results) == ["2026.11.27", "2026.11.27.1", "2026.11.27.2"]
    index = json.loads((output / "index.json").read_text())
    assert len(index["versions"]) == 3


def test_csv_cells_are_formula_safe():
    import pyarrow as pa

    from transforms.formats import csv_bytes
    from transforms.schema import Column, Table

    table = Table("t", "t", "t", ("a",), (Column("a", "string", "a"), Column("n", "int32", "n")))
    arrow = pa.table({"a": ["=cmd()", "+1", "-x", "@sum", "plain", None], "n": [1, -2, 3, 4, 5, 6]})
    lines = csv_bytes(table, arrow).decode().split("\r\n")
    assert lines[1:7] == ["'=cmd(),1", "'+1,-2", "'-x,3", "'@sum,4", "plain,5", ",6"]


def test_a_leftover_release_folder_is_not_reused(tables, source, tmp_path):
    """A run that died between its rename and its index left releases/<today>/ behind: the
    next run publishes beside it instead of failing on the rename."""
    output = tmp_path / "out"
    leftover = output / "releases" / RELEASE_TIME.strftime("%Y.%m.%d")
    leftover.mkdir(parents=True)
    (leftover / "designations.csv").write_text("partial", encoding="utf-8")
    result = publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    assert result.status == "published"
    assert result.version == RELEASE_TIME.strftime("%Y.%m.%d") + ".1"
    assert (leftover / "designations.csv").read_text(encoding="utf-8") == "partial"


def test_an_unreadable_history_index_stops_before_anything_is_written(tables, source, tmp_path):
    """The catalog page is rendered before the release is committed: a corrupt
    history/index.json is a clear PublishError and the output stays byte-identical."""
    output = tmp_path / "out"
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    (output / "history").mkdir()
    (output / "history" / "index.json").write_text("{not json", encoding="utf-8")
    before = snapshot(output)
    changed = {**tables, "notes": tables["notes"].iloc[0:0]}
    with pytest.raises(PublishError, match=r"history/index\.json"):
        publish_release(
            changed, source, PASSED_VALIDATION, output, now=RELEASE_TIME + dt.timedelta(days=1)
        )
    assert snapshot(output) == before
