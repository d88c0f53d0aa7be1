"""Publishing a history release: ``history/<version>/``, ``history/index.json``, the catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.wikipedia import index_url
from mekdata.layout import (
    DATAPACKAGE_FILE,
    HISTORY_DIR,
    HISTORY_DUCKDB,
    REPORT_FILE,
    VALIDATION_FILE,
)
from pages.catalog_entries import validation_summary
from pages.history_model import history_rows
from pages.history_report import render_history_report
from storage.catalog import catalog_html
from storage.duckdb_file import write_duckdb_from_parquet
from storage.fingerprint import file_sha256
from storage.output_folder import commit_version, json_bytes, next_version, read_index
from storage.publish import checksum_files, package_descriptor, table_resource
from transforms.formats import csv_bytes, parquet_reader
from transforms.schema import HISTORY_TABLES, arrow_schema

# Rows converted to CSV at a time: the files are written as they are read, never held, and
# the conversion's memory is that of this many rows (as the checks' chunks).
CSV_BATCH_ROWS = 1_000


def publish_history(
    output: Path,
    staging: Path,
    report: dict[str, Any],
    run: dict[str, Any],
    licence: dict,
) -> dict[str, Any]:
    """Finish the staging folder, which already holds the tables and their CSV and DuckDB
    files (write_history_formats): validation report, report.html, datapackage, SHA256SUMS.
    Then commit it as every version is (storage/output_folder.py: commit_version): renamed
    to ``history/<version>/`` (never overwriting), then added to ``history/index.json`` and
    the catalog page. The caller holds the output lock; anything that fails before the
    rename publishes nothing."""
    root = output / HISTORY_DIR
    index = read_index(root)
    now = dt.datetime.now(dt.UTC)
    version = next_version([str(v["version"]) for v in index.get("versions", [])], now.date())
    (staging / VALIDATION_FILE).write_bytes(json_bytes(report))
    page = render_history_report(history_rows(staging), version, run, report)
    (staging / REPORT_FILE).write_text(page, encoding="utf-8")
    package = history_datapackage(staging, version, now, run)
    (staging / DATAPACKAGE_FILE).write_bytes(json_bytes(package))
    files = checksum_files(staging)
    entry = {
        "version": version,
        "published_at": now.isoformat(timespec="seconds"),
        "path": f"{HISTORY_DIR}/{version}/",
        "schema_version": package["schema_version"],
        "validation": validation_summary(report),
        "run": run,
        "row_counts": {r["name"]: r["mekdata:rows"] for r in package["resources"]},
        "attribution": package["sources"][0]["attribution"],
        "files": files,
    }
    index = {"name": "mekdata-history", "versions": [*index.get("versions", []), entry]}
    commit_version(
        output,
        staging,
        root / version,
        index_folder=root,
        index=index,
        catalog_page=catalog_html(output, licence, history=index),
    )
    return entry


def write_history_formats(folder: Path) -> None:
    """Beside each table's Parquet file, its CSV (as a release's: transforms/formats.py) and one
    ``history.duckdb`` holding every table, all made from the Parquet files a batch of rows
    at a time."""
    for name, table in HISTORY_TABLES.items():
        write_csv_from_parquet(table, folder / f"{name}.parquet", folder / f"{name}.csv")
    write_duckdb_from_parquet(folder / HISTORY_DUCKDB, folder, HISTORY_TABLES, HISTORY_DUCKDB)


def write_csv_from_parquet(table: Any, source: Path, target: Path) -> None:
    """A table's CSV from its Parquet file, a batch of rows at a time (one header)."""
    header = csv_bytes(table, _empty(table))
    with open(target, "wb") as handle:
        handle.write(header)
        for batch in parquet_reader(source).iter_batches(
            batch_size=CSV_BATCH_ROWS, use_threads=False
        ):
            handle.write(csv_bytes(table, pa.Table.from_batches([batch]))[len(header) :])


def _empty(table: Any) -> Any:
    return arrow_schema(table).empty_table()


def history_datapackage(
    folder: Path, version: str, now: dt.datetime, run: dict[str, Any]
) -> dict[str, Any]:
    """The datapackage.json of a history release, built like a release's
    (storage/publish.py): one tabular resource per Parquet table, its schema, size and hash."""
    resources = []
    for name, declared in HISTORY_TABLES.items():
        path = folder / f"{name}.parquet"
        rows = pq.ParquetFile(path).metadata.num_rows
        csv = folder / f"{name}.csv"
        also = {"mekdata:csv": _file_description(csv, file_sha256(csv))} if csv.exists() else {}
        resources.append(table_resource(declared, "parquet", path, rows, **also))
    duckdb = folder / HISTORY_DUCKDB
    extra = (
        {
            "mekdata:duckdb": {
                **_file_description(duckdb, file_sha256(duckdb)),
                "format": "duckdb",
                "tables": list(HISTORY_TABLES),
                "note": "Every table above with its schema's types, primary key and "
                "descriptions (COMMENT ON). Not byte-reproducible.",
            }
        }
        if duckdb.exists()
        else None
    )
    return package_descriptor(
        name="mekdata-history",
        title="People's Mojahedin Organization of Iran: the Wikipedia article through time",
        description="Every revision of the article in range and what was done with it, each "
        "designation, election result and size estimate with the span of revisions that "
        "stated it, and every change of a claim between revisions.",
        version=version,
        now=now,
        sources=[history_source(run["source"])],
        resources=resources,
        extra=extra,
    )


def _file_description(path: Path, digest: str) -> dict[str, Any]:
    return {"path": path.name, "bytes": path.stat().st_size, "hash": f"sha256:{digest}"}


def history_source(source: dict[str, Any]) -> dict[str, Any]:
    """The revisions read, as a datapackage source: the page history, with the permalinks
    of the first and last revision in range."""
    index = index_url(source["api"])
    first, last = source.get("first_revid"), source.get("last_revid")
    return {
        "title": f"Wikipedia: {source['title']}, revisions {first} to {last}",
        "path": source["history"],
        "attribution": f'Text of the Wikipedia article "{source["title"]}" (revisions {first} '
        f"to {last}) by Wikipedia contributors, licensed under CC BY-SA 4.0; authors listed "
        f"in the page history: {source['history']}",
        "mekdata:api": source["api"],
        "mekdata:revisions": {
            "first": {"revid": first, "permalink": f"{index}?oldid={first}"},
            "last": {"revid": last, "permalink": f"{index}?oldid={last}"},
            "since": source.get("since"),
            "until": source.get("until"),
            "limit": source.get("limit"),
        },
    }
