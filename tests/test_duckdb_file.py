"""history.duckdb written from Parquet files: whole, under a memory limit far below the data."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mekdata.errors import PublishError
from storage.duckdb_file import write_duckdb_from_parquet
from transforms.schema import HISTORY_TABLES, arrow_schema

REVISIONS = HISTORY_TABLES["revisions"]
NOTE_CHARACTERS = 2_000  # a long note per revision, as failed and skipped revisions carry


def write_revisions(folder, count: int, revid=lambda i: i + 1) -> int:
    """A revisions table of ``count`` rows with a long note each; returns the notes' length."""
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "revid": revid(i),
            "timestamp": start + dt.timedelta(minutes=i),
            "status": "failed",
            "detail": f"{i:010d}" * (NOTE_CHARACTERS // 10),
        }
        for i in range(count)
    ]
    table = pa.Table.from_pylist(rows, schema=arrow_schema(REVISIONS))
    pq.write_table(table, folder / "revisions.parquet", row_group_size=1_000)
    return count * NOTE_CHARACTERS


def test_a_table_larger_than_the_memory_limit_is_written_whole(tmp_path, monkeypatch):
    """60 MB of notes under a 16 MB limit: with DuckDB's default row groups (122,880 rows)
    the checkpoint needed the whole column at once and failed ("failed to allocate")."""
    monkeypatch.chdir(tmp_path)  # where DuckDB would spill by default
    source = tmp_path / "tables"
    source.mkdir()
    characters = write_revisions(source, 30_000)
    target = tmp_path / "history.duckdb"

    write_duckdb_from_parquet(target, source, {"revisions": REVISIONS}, target.name, "16MB")

    connection = duckdb.connect(str(target), read_only=True)
    try:
        count, distinct, length = connection.execute(
            "SELECT count(*), count(DISTINCT revid), sum(length(detail)) FROM revisions"
        ).fetchone()
        largest_row_group = connection.execute(
            "SELECT max(count) FROM pragma_storage_info('revisions')"
        ).fetchone()[0]
    finally:
        connection.close()
    assert (count, distinct, length) == (30_000, 30_000, characters)
    assert largest_row_group <= 2_048
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.duckdb", "tables"]


def test_a_broken_key_names_the_table_and_stops_the_write(tmp_path):
    source = tmp_path / "tables"
    source.mkdir()
    write_revisions(source, 10, revid=lambda i: 7)  # every row the same revid
    target = tmp_path / "history.duckdb"
    with pytest.raises(PublishError, match="table revisions breaks its declared key"):
        write_duckdb_from_parquet(target, source, {"revisions": REVISIONS}, target.name)


def test_duckdb_failing_is_a_publish_error_that_says_so(tmp_path):
    """Out of memory here (a limit no table fits in); out of disk would read the same."""
    source = tmp_path / "tables"
    source.mkdir()
    write_revisions(source, 3_000)
    target = tmp_path / "history.duckdb"
    with pytest.raises(PublishError, match=r"^Cannot build history.duckdb: DuckDB failed") as error:
        write_duckdb_from_parquet(target, source, {"revisions": REVISIONS}, target.name, "1MB")
    assert "Out of Memory" in str(error.value) and "\n" not in str(error.value)
