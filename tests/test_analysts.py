"""For the analysts: typed tables read back alike from Parquet and CSV, the examples of
docs/using-the-data.md that run as written, `mekdata show`, and report.html rendered in headless
Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME

from storage.publish import publish_release
from transforms.schema import TABLES

REPO_ROOT = Path(__file__).resolve().parents[1]
# The analysts' runnable examples, each after an `<!-- example: name -->` line.
EXAMPLES_PAGE = REPO_ROOT / "docs" / "using-the-data.md"
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "list<int32>": "VARCHAR",
    "list<string>": "VARCHAR",
}
# How a `;`-joined CSV cell is read back as the Parquet list, per list type.
DUCKDB_ELEMENT = {"list<int32>": "INTEGER", "list<string>": "VARCHAR"}
EXAMPLE_RE = re.compile(
    r"<!-- example: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)```", re.S
)


@pytest.fixture(scope="module")
def workdir(tables, source, tmp_path_factory):
    """A folder laid out like the repository after `make run`: output/ with one release."""
    root = tmp_path_factory.mktemp("repo")
    publish_release(tables, source, PASSED_VALIDATION, root / "output", now=RELEASE_TIME)
    return root


@pytest.fixture(scope="module")
def release(workdir):
    return next((workdir / "output" / "releases").iterdir())


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_types(release, name):
    schema = pq.read_schema(release / f"{name}.parquet")
    expected = {
        "date": pa.date32(),
        "list<int32>": pa.list_(pa.int32()),
        "list<string>": pa.list_(pa.string()),
        "int16": pa.int16(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "boolean": pa.bool_(),
        "float64": pa.float64(),
        "string": pa.string(),
    }
    for column in TABLES[name].columns:
        assert schema.field(column.name).type == expected[column.type], column.name


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_and_parquet_give_the_same_rows_in_duckdb(release, name):
    table = TABLES[name]
    types = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in table.columns)
    lists = {c.name: DUCKDB_ELEMENT[c.type] for c in table.columns if c.is_list}
    select = ", ".join(
        f"CASE WHEN {c} IS NULL OR {c} = '' THEN []::{lists[c]}[] ELSE "
        f"list_transform(string_split({c}, ';'), lambda x: x::{lists[c]}) END AS {c}"
        if c in lists
        else f'"{c}"'
        for c in table.column_names
    )
    con = duckdb.connect()
    from_csv = con.execute(
        f"SELECT {select} FROM read_csv('{release}/{name}.csv', header=true, "
        f"columns={{{types}}}, quote='\"', escape='\"')"
    ).fetchall()
    from_parquet = con.execute(f"SELECT * FROM read_parquet('{release}/{name}.parquet')").fetchall()
    assert from_csv == from_parquet


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_and_parquet_give_the_same_rows_in_pandas(release, name):
    table = TABLES[name]
    dtypes = {
        c.name: "str" if c.is_list else c.pandas_dtype
        for c in table.columns
        if c.type not in ("date", "boolean")
    }
    csv = pd.read_csv(
        release / f"{name}.csv",
        dtype=dtypes,
        keep_default_na=False,
        na_values=[""],
        parse_dates=[c.name for c in table.columns if c.type == "date"],
    )
    parquet = pq.read_table(release / f"{name}.parquet").to_pandas()
    for column in table.columns:
        left, right = csv[column.name].tolist(), parquet[column.name].tolist()
        if column.is_list:
            left = [
                [column.list_value([x])[0] for x in v.split(";")] if isinstance(v, str) else []
                for v in left
            ]
            right = [list(v) for v in right]
        elif column.type == "date":
            left = [None if pd.isna(v) else v.date() for v in left]
            right = [None if pd.isna(v) else pd.Timestamp(v).date() for v in right]
        elif column.type == "boolean":
            left = [v in (True, "true") for v in left]
            right = [bool(v) for v in right]
        else:
            left = [None if pd.isna(v) else v for v in left]
            right = [None if pd.isna(v) else v for v in right]
        assert left == right, (name, column.name)


def _examples() -> list[tuple[str, str, str]]:
    page = EXAMPLES_PAGE.read_text(encoding="utf-8")
    return [(m["name"], m["lang"], m["code"]) for m in EXAMPLE_RE.finditer(page)]


def _database_of(workdir: Path, name: str) -> list[str]:
    """The database an SQL example is run in: the latest release's mekdata.duckdb for the
    duckdb-file example (as its first comment says), else an in-memory one."""
    if name != "duckdb-file":
        return []
    latest = json.loads((workdir / "output" / "latest.json").read_text(encoding="utf-8"))
    return [str(workdir / "output" / latest["path"] / "mekdata.duckdb")]


def test_using_the_data_has_the_five_examples():
    assert [name for name, _, _ in _examples()] == [
        "duckdb-sql",
        "duckdb-file",
        "pandas",
        "pandas-duckdb",
        "polars",
    ]


@pytest.mark.parametrize(
    ("name", "lang", "code"),
    _examples(),
    ids=lambda v: v if isinstance(v, str) and "\n" not in v and len(v) < 20 else "",
)
def test_examples_run_as_written(workdir, monkeypatch, name, lang, code):
    if lang == "sql":
        monkeypatch.chdir(workdir)
        con = duckdb.connect(*_database_of(workdir, name), read_only=name == "duckdb-file")
        statements = [
            s
            for s in code.split(";")
            if s.strip()
            and not all(line.strip().startswith("--") for line in s.strip().splitlines())
        ]
        for statement in statements[:-1]:
            con.execute(statement)
        rows = con.execute(statements[-1]).fetchall()
        assert ("United States", dt.date(1997, 7, 8), "day", dt.date(2012, 9, 28), 15) in rows
    else:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip(), f"{name} printed nothing"
        if name in ("pandas", "pandas-duckdb"):
            assert "United Kingdom" in result.stdout and "421" in result.stdout
        if name == "polars":
            assert "Pierre Razoux" in result.stdout


@pytest.mark.parametrize(
    "name", [name for name, lang, _ in _examples() if lang == "sql"], ids=lambda v: v
)
def test_example_sql_runs_in_the_duckdb_command(workdir, name):
    """The SQL examples as a user pastes them into the `duckdb` shell (duckdb-cli, a dev
    dependency), not only through the Python API."""
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), "the duckdb command comes with the dev extra (duckdb-cli)"
    code = next(code for n, _, code in _examples() if n == name)
    database = _database_of(workdir, name)
    result = subprocess.run(
        [str(cli), "-csv", "-bail", *(["-readonly", *database] if database else [])],
        input=code,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "United States,1997-07-08,day,2012-09-28,15" in result.stdout, result.stdout[-2000:]


@pytest.mark.parametrize("where", ["folder", "duckdb-file"])
def test_mekdata_show(workdir, release, where):
    mekdata = str(Path(sys.executable).with_name("mekdata"))
    location = workdir / "output" if where == "folder" else release / "mekdata.duckdb"
    result = subprocess.run(
        [
            mekdata,
            "show",
            "designations",
            "--from",
            str(location),
            "--columns",
            "authority,status,listed_on,delisted_on",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # PYTHONPATH kept: a worktree's tests must run the worktree's code.
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"}
        | {k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    assert "United States" in result.stdout and "28 September 2012" in result.stdout
    # Partial dates as the text gives them, read from the precision columns not shown.
    assert "May 2002" in result.stdout and "2002-05-01" not in result.stdout
    assert "1981" in result.stdout and "1981-01-01" not in result.stdout
    assert "(10" in result.stdout and "rows)" in result.stdout
    assert release.name in result.stdout
    bad = subprocess.run(
        [mekdata, "show", "nonsense", "--from", str(workdir / "output")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "designations" in bad.stderr


def test_report_renders_in_headless_chromium(release, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (make test installs it with apt-get)"
    report = release / "report.html"
    assert report.is_file()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [chromium, *flags, "--virtual-time-budget=5000", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-charts-loaded="2"' in dom.stdout
    assert 'id="chart-listings"' in dom.stdout and 'id="chart-membership"' in dom.stdout
    assert "Uncaught" not in dom.stderr
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1200,2000", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 50_000  # a rendered page with two charts, not a blank one
