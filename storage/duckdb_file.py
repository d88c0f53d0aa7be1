"""mekdata.duckdb: every table of a release in one DuckDB file that documents itself.

Built from the same Arrow tables as the Parquet files, so the two cannot disagree. Each
table and column carries its description from transforms/schema.py as a ``COMMENT ON``
(read them with ``SELECT column_name, comment FROM duckdb_columns()``); required columns are
``NOT NULL`` and each table has its primary key (the validation gate has already checked that
both hold, so a violation here is a bug and stops the publish).

Reproducibility, measured with DuckDB 2.0.1: two builds of the same tables differ in tens of
kilobytes, even in size (340-373 kB for the bundled article): in the file header (a random
database identifier, checksums, the DuckDB version that wrote it), in the order blocks are
allocated and in unused bytes of blocks, even with one thread. The file is therefore not
byte-reproducible, and a release's content hash (storage/publish.py: content_hash) is computed
from the CSV bytes only, never from this file: an unchanged run still publishes nothing.

Compatibility, measured: the file is written in the v1.2.0 storage format with 16 KiB blocks
(about 0.35 MB instead of 3.4 MB with the default 256 KiB blocks; about 0.1 s to write).
DuckDB 1.2.2 and 2.0.1 read it; DuckDB 1.0.0 refuses it (as it refuses even a v1.0.0-format
file written by 2.0.1); DuckDB's own 2.0 format would be unreadable before 2.0.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from mekdata.errors import PublishError
from mekdata.layout import DUCKDB_FILE
from storage.locations import LocationError
from transforms.schema import TABLES, Column, Table

# The oldest storage format that allows small blocks; the file holds a few hundred kB of data.
STORAGE_VERSION = "v1.2.0"
# A history's file grows with the history, and DuckDB's memory while writing it grew with it:
# on the 30,000-revision synthetic history (a 34 MB file, most of it the revisions' notes)
# writing the revisions table raised the process by about 90 MB. DuckDB checkpoints a table
# a row group at a time, and a row group holds up to 122,880 rows by default: the revisions'
# was the whole table, so DuckDB needed all of it in memory at once. Row groups of 2,048 rows
# (its smallest) bound that, and a memory limit keeps DuckDB from using the machine's memory
# freely (by default most of it). Measured on 30,000 revisions with 2 kB notes each (60 MB):
# default row groups peaked 251 MB above the process, and under this limit could not
# checkpoint at all; small row groups 34 MB under the limit. 1,000,000 rows: 90 MB.
HISTORY_ROW_GROUP_ROWS = 2_048
HISTORY_MEMORY_LIMIT = "64MB"
BLOCK_SIZE = 16_384
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "list<int32>": "INTEGER[]",
    "list<string>": "VARCHAR[]",
}
_ALIAS = "mekdata_release"


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier (``references`` is a reserved word)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_statement(table: Table) -> str:
    columns = [
        f"{quote_identifier(c.name)} {duckdb_type(c)}" + (" NOT NULL" if c.required else "")
        for c in table.columns
    ]
    key = ", ".join(quote_identifier(k) for k in table.primary_key)
    body = ",\n  ".join([*columns, f"PRIMARY KEY ({key})"])
    return f"CREATE TABLE {_ALIAS}.{quote_identifier(table.name)} (\n  {body}\n)"


def duckdb_type(column: Column) -> str:
    return DUCKDB_TYPES[column.type]


def write_duckdb(path: Path, arrow_tables: Mapping[str, pa.Table]) -> None:
    """Write every declared table (in schema order) with its comments into a new file."""
    if path.exists():
        raise PublishError(f"{path} already exists; a release file is never overwritten.")
    connection = duckdb.connect()
    try:
        connection.execute(
            f"ATTACH {quote_literal(str(path))} AS {_ALIAS} "
            f"(STORAGE_VERSION {quote_literal(STORAGE_VERSION)}, BLOCK_SIZE {BLOCK_SIZE})"
        )
        # One transaction: a commit per statement would write the file a hundred times.
        connection.execute("BEGIN TRANSACTION")
        for name, table in TABLES.items():
            arrow_table = arrow_tables[name]
            connection.execute(_create_statement(table))
            connection.register("arrow_rows", arrow_table)
            try:
                connection.execute(
                    f"INSERT INTO {_ALIAS}.{quote_identifier(name)} SELECT "
                    + ", ".join(quote_identifier(c) for c in table.column_names)
                    + " FROM arrow_rows"
                )
            except duckdb.ConstraintException as error:
                raise PublishError(
                    f"Cannot build {DUCKDB_FILE}: table {name} breaks its declared key or "
                    f"required columns ({error}). The validation gate should have stopped "
                    f"this; nothing was published."
                ) from error
            finally:
                connection.unregister("arrow_rows")
            target = f"{_ALIAS}.{quote_identifier(name)}"
            connection.execute(f"COMMENT ON TABLE {target} IS {quote_literal(table.description)}")
            for column in table.columns:
                connection.execute(
                    f"COMMENT ON COLUMN {target}.{quote_identifier(column.name)} "
                    f"IS {quote_literal(column.description)}"
                )
        connection.execute("COMMIT")
        connection.execute(f"DETACH {_ALIAS}")
    finally:
        connection.close()


def write_duckdb_from_parquet(
    path: Path,
    folder: Path,
    tables: Mapping[str, Table],
    name: str,
    memory_limit: str = HISTORY_MEMORY_LIMIT,
) -> None:
    """Write each of ``tables`` from its ``<table>.parquet`` in ``folder`` (DuckDB reads the
    file itself, a row group at a time: a long history's tables are never in Python's
    memory), with its key, required columns and comments, as ``write_duckdb`` does.

    One transaction per table: DuckDB holds a transaction's rows and key index in memory
    until it commits, so one transaction for every table held the whole file (at 6,000
    revisions the write peaked 5 MB higher, growing with the history). A file left half
    written by a failure is in a staging folder, which is never published. The file has
    small row groups and DuckDB keeps to ``memory_limit`` (HISTORY_ROW_GROUP_ROWS says why),
    spilling to a temporary folder of its own (by default it would spill into the working
    directory)."""
    if path.exists():
        raise PublishError(f"{path} already exists; a release file is never overwritten.")
    with tempfile.TemporaryDirectory(prefix="mekdata-duckdb-") as spill:
        try:
            _write_from_parquet(path, folder, tables, name, memory_limit, Path(spill))
        except duckdb.Error as error:  # out of memory or disk, say: a clear error, no file
            first_line = str(error).strip().splitlines()[0]  # its advice is about SQL settings
            raise PublishError(
                f"Cannot build {name}: DuckDB failed ({type(error).__name__}: {first_line}). "
                "Nothing was published."
            ) from error


def _write_from_parquet(
    path: Path, folder: Path, tables: Mapping[str, Table], name: str, limit: str, spill: Path
) -> None:
    connection = duckdb.connect()
    try:
        connection.execute("SET threads TO 1")  # the checks' rule: memory, not speed
        connection.execute(f"SET memory_limit = {quote_literal(limit)}")
        connection.execute(f"SET temp_directory = {quote_literal(str(spill))}")
        connection.execute(
            f"ATTACH {quote_literal(str(path))} AS {_ALIAS} "
            f"(STORAGE_VERSION {quote_literal(STORAGE_VERSION)}, BLOCK_SIZE {BLOCK_SIZE}, "
            f"ROW_GROUP_SIZE {HISTORY_ROW_GROUP_ROWS})"
        )
        for table in tables.values():
            connection.execute("BEGIN TRANSACTION")
            connection.execute(_create_statement(table))
            source = quote_literal(str(folder / f"{table.name}.parquet"))
            try:
                connection.execute(
                    f"INSERT INTO {_ALIAS}.{quote_identifier(table.name)} SELECT "
                    + ", ".join(quote_identifier(c) for c in table.column_names)
                    + f" FROM read_parquet({source})"
                )
            except duckdb.ConstraintException as error:
                raise PublishError(
                    f"Cannot build {name}: table {table.name} breaks its declared key or "
                    f"required columns ({error}). The validation gate should have stopped "
                    f"this; nothing was published."
                ) from error
            _comment(connection, table)
            connection.execute("COMMIT")
        connection.execute(f"DETACH {_ALIAS}")
    finally:
        connection.close()


def _comment(connection: Any, table: Table) -> None:
    target = f"{_ALIAS}.{quote_identifier(table.name)}"
    connection.execute(f"COMMENT ON TABLE {target} IS {quote_literal(table.description)}")
    for column in table.columns:
        connection.execute(
            f"COMMENT ON COLUMN {target}.{quote_identifier(column.name)} "
            f"IS {quote_literal(column.description)}"
        )


def read_duckdb_table(path: Path, table: str) -> list[dict[str, Any]]:
    """The rows of one table of a mekdata.duckdb file, as `mekdata show` prints them."""
    if not path.is_file():
        raise LocationError(f"{path} does not exist.")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise LocationError(f"{path} is not a DuckDB file this DuckDB can read: {error}") from error
    try:
        return (
            connection.sql(f"SELECT * FROM {quote_identifier(table)}").to_arrow_table().to_pylist()
        )
    except duckdb.CatalogException as error:
        raise LocationError(f"{path} has no table {table!r}.") from error
    finally:
        connection.close()
