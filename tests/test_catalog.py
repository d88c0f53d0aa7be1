"""The catalog page (output/index.html) in headless Chromium, and each release's
mekdata.duckdb read back with DuckDB's Python API."""

from __future__ import annotations

import datetime as dt
import hashlib
import html.parser
import json
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME, replace_once, run_mekdata, snapshot
from history_release import API
from revision_script import revision_script

from ingestion.source import make_source
from mekdata.layout import CATALOG_FILE, DUCKDB_FILE
from pages.catalog import anchor, render_catalog
from storage.publish import publish_release
from transforms.official_acts import OFFICIAL_ACTS
from transforms.schema import SCHEMA_VERSION, TABLES

# An edit a reader of the article could make: one listing date changes.
EDIT = ("Designated on 24 May 2005,", "Designated on 2 June 2006,")
# The edit moves Canada's listing off the day of its act, if the reviewed record holds it:
# then the article disagrees with the record, one record_conflict finding more.
EDIT_FINDINGS = int(
    any(
        a.authority_code == "CA"
        and a.act_type == "listing"
        and a.official_date == dt.date(2005, 5, 24)
        for a in OFFICIAL_ACTS
    )
)
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
SCRIPT = revision_script()
HISTORY_INDEX = API.removesuffix("api.php") + "index.php?"
# The page's border colour (pages/catalog.py: STYLE), drawn 1 px wide around table cells.
BORDER_RGB = (0xD0, 0xD7, 0xDE)


def chromium_flags(profile: Path) -> list[str]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (make test installs it with apt-get)"
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
    ]


def dump_dom(page: Path, profile: Path) -> str:
    result = subprocess.run(
        [*chromium_flags(profile), "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class PageParser(html.parser.HTMLParser):
    """Links, element ids, scripts and the rows of the versions table of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.table_rows: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.links.append(attributes[name])
        if tag == "table" and "versions" in (attributes.get("class") or ""):
            self._table = attributes["id"]
            self.table_rows[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            if self._row:
                self.table_rows[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def two_sources(article_text, tables):
    """Two runs with different sources: the bundled article, then an edited copy of it."""
    from transforms import extract_all

    edited_text = replace_once(article_text, *EDIT)
    return [
        (tables, make_source(article_text.encode(), "sources/article.txt")),
        (extract_all(edited_text), make_source(edited_text.encode(), "edited/article.txt")),
    ]


@pytest.fixture(scope="module")
def output(two_sources, tmp_path_factory):
    """Two releases, then a history release of the scripted revisions (tests/history_release.py)."""
    from history_release import script_run, write_history_tables

    from expectations.history_checks import run_checks
    from mekdata import CONTENT_LICENCE as LICENCE
    from mekdata.layout import HISTORY_DIR, STAGING_PREFIX
    from storage.history_publish import publish_history, write_history_formats

    folder = tmp_path_factory.mktemp("catalog") / "output"
    for day, (tables, source) in enumerate(two_sources):
        result = publish_release(
            tables, source, PASSED_VALIDATION, folder, now=RELEASE_TIME + dt.timedelta(days=day)
        )
        assert result.status == "published"
    staging = folder / HISTORY_DIR / f"{STAGING_PREFIX}test"
    staging.mkdir(parents=True)
    latest = write_history_tables(staging, SCRIPT)
    write_history_formats(staging)
    publish_history(folder, staging, run_checks(staging, latest), script_run(SCRIPT), LICENCE)
    return folder


@pytest.fixture(scope="module")
def versions(output):
    return json.loads((output / "index.json").read_text())["versions"]


@pytest.fixture(scope="module")
def dom(output, tmp_path_factory):
    return dump_dom(output / CATALOG_FILE, tmp_path_factory.mktemp("profile"))


def test_both_versions_newest_first(dom, versions):
    page = parse(dom)
    rows = page.table_rows["release-table"]
    assert [row[0].split()[0] for row in rows] == ["2026.11.28", "2026.11.27"]
    newest, oldest = rows
    assert [v["version"] for v in versions] == ["2026.11.27", "2026.11.28"]
    assert "first release" in oldest[5]
    # The edited listing date is one changed designations row against the first release (and
    # a record_conflict finding where the record holds Canada's listing act of that day).
    assert "designations 10 (~1)" in newest[5]
    assert f"against 2026.11.27: {EDIT_FINDINGS} rows added, 0 removed, 1 changed" in newest[5]
    assert "passed" in newest[4] and newest[3] == SCHEMA_VERSION
    sections = [f"release-{v['version']}" for v in reversed(versions)]
    assert [dom.index(f'id="{s}"') for s in sections] == sorted(
        dom.index(f'id="{s}"') for s in sections
    )


def test_page_shows_what_verifies_each_version(dom, versions):
    for entry in versions:
        assert entry["source_sha256"] in dom
        assert entry["content_hash"] in dom
        assert {f["path"] for f in entry["files"]} >= {
            "mekdata.duckdb",
            "report.html",
            "CHANGES.md",
            "SHA256SUMS",
        }
        for item in entry["files"]:
            assert item["sha256"] in dom, item["path"]
            assert f'title="{item["bytes"]} bytes"' in dom, item["path"]
    assert "sha256sum -c SHA256SUMS" in dom
    assert "mekdata download 2026.11.28 --from" in dom
    assert "CC BY-SA 4.0" in dom and LICENCE_URL in dom


def test_every_link_resolves(dom, output, tmp_path):
    page = parse(dom)
    assert len(page.links) > 60
    (history,) = json.loads((output / "history" / "index.json").read_text())["versions"]
    assert f"{history['path']}report.html" in page.links
    external = []
    for link in page.links:
        parts = urllib.parse.urlsplit(link)
        if parts.scheme:
            external.append(link)
            continue
        assert not link.startswith("/"), f"{link}: not relative"
        if parts.path:
            target = output / urllib.parse.unquote(parts.path)
            assert target.is_file(), f"{link} does not resolve to a file"
        else:
            assert parts.fragment in page.ids, f"{link}: no such anchor"
    # The only links off the page: the licence, the article a bundled copy came from and the
    # page history the history release was read from.
    assert set(external) <= {
        LICENCE_URL,
        json.loads(
            (
                Path(__file__).resolve().parents[1] / "sources/peoples-mujahedin-of-iran.json"
            ).read_text()
        )["url"],
        history["run"]["source"]["history"],
    }, external

    # The history release's report, as Chromium reads it: its links stay in the release or
    # go to the wiki's index.php (revisions, diffs, the page history) and the licence.
    release = output / history["path"]
    report = parse(dump_dom(release / "report.html", tmp_path / "profile"))
    assert "timelines" in report.ids and len(report.links) > 40
    for link in report.links:
        parts = urllib.parse.urlsplit(link)
        if parts.scheme:
            assert link == LICENCE_URL or link.startswith(HISTORY_INDEX), link
        elif parts.path:
            assert (release / urllib.parse.unquote(parts.path)).is_file(), link
        else:
            assert parts.fragment in report.ids, link


def test_page_needs_nothing_from_elsewhere(dom, output):
    text = (output / CATALOG_FILE).read_text()
    page = parse(text)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "url(" not in text and "@import" not in text
    assert anchor("release", "2026.11.28") in page.ids


def _png_pixels(path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return (plt.imread(path)[:, :, :3] * 255).round().astype(int)


def test_screenshot_shows_the_table(output, tmp_path):
    shot = tmp_path / "catalog.png"
    subprocess.run(
        [
            *chromium_flags(tmp_path / "profile"),
            "--window-size=1280,900",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            (output / CATALOG_FILE).as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 30_000
    pixels = _png_pixels(shot)
    assert pixels.shape[:2] == (900, 1280)
    assert pixels.std() > 20, "the screenshot is blank"
    # Long horizontal rules in the border colour: the underline of the Releases heading, then
    # the versions table's rules above the header, under it and under each of the two versions.
    border = (pixels == BORDER_RGB).all(axis=2)
    rules = [y for y in range(border.shape[0]) if border[y].sum() > 0.6 * border.shape[1]]
    assert len(rules) >= 5, rules
    assert min(rules) < 450, "the table is not in the first screen"


def test_duckdb_tables_equal_the_parquet_files(output, versions):
    release = output / "releases" / versions[-1]["version"]
    con = duckdb.connect(str(release / DUCKDB_FILE), read_only=True)
    names = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert sorted(r[0] for r in names) == sorted(TABLES)
    for name, table in TABLES.items():
        parquet = pq.read_table(release / f"{name}.parquet")
        stored = con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
        assert stored.column_names == table.column_names
        assert stored.num_rows == parquet.num_rows == versions[-1]["row_counts"][name]
        assert stored.cast(parquet.schema).equals(parquet), name
        assert (
            con.execute(f'SELECT * FROM "{name}"').fetchall()
            == con.execute(
                f"SELECT * FROM read_parquet('{release / f'{name}.parquet'}')"
            ).fetchall()
        ), name


def test_duckdb_documents_itself(output, versions):
    release = output / "releases" / versions[-1]["version"]
    con = duckdb.connect(str(release / DUCKDB_FILE), read_only=True)
    tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    columns = {
        (t, c): (comment, data_type, nullable)
        for t, c, comment, data_type, nullable in con.execute(
            "SELECT table_name, column_name, comment, data_type, is_nullable FROM duckdb_columns()"
        ).fetchall()
    }
    expected_types = {
        "string": "VARCHAR",
        "int16": "SMALLINT",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "float64": "DOUBLE",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "list<int32>": "INTEGER[]",
        "list<string>": "VARCHAR[]",
    }
    for name, table in TABLES.items():
        assert tables[name] == table.description
        for column in table.columns:
            comment, data_type, nullable = columns[(name, column.name)]
            assert comment == column.description, (name, column.name)
            assert data_type == expected_types[column.type], (name, column.name)
            assert nullable == (not column.required and column.name not in table.primary_key)
        keys = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
            [name],
        ).fetchall()
        assert keys == [(list(table.primary_key),)], name


def test_duckdb_is_listed_like_every_file(output, versions):
    release = output / "releases" / versions[-1]["version"]
    data = (release / DUCKDB_FILE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert f"{digest}  {DUCKDB_FILE}\n" in (release / "SHA256SUMS").read_text()
    listed = {f["path"]: f for f in versions[-1]["files"]}[DUCKDB_FILE]
    assert listed == {"path": DUCKDB_FILE, "bytes": len(data), "sha256": digest}
    package = json.loads((release / "datapackage.json").read_text())["mekdata:duckdb"]
    assert package["hash"] == f"sha256:{digest}" and package["bytes"] == len(data)
    assert package["tables"] == list(TABLES)


def test_content_hash_does_not_depend_on_the_duckdb_bytes(two_sources, tmp_path):
    """Two builds of the same data in two outputs: the same content hash, the same rows in
    both DuckDB files, whether or not DuckDB wrote the same bytes."""
    tables, source = two_sources[0]
    results = [
        publish_release(tables, source, PASSED_VALIDATION, tmp_path / n, now=RELEASE_TIME)
        for n in ("a", "b")
    ]
    assert results[0].content_hash == results[1].content_hash
    rows = []
    for result in results:
        con = duckdb.connect(str(result.path / DUCKDB_FILE), read_only=True)
        rows.append({n: con.execute(f'SELECT * FROM "{n}"').fetchall() for n in TABLES})
    assert rows[0] == rows[1]
    again = publish_release(tables, source, PASSED_VALIDATION, tmp_path / "a", now=RELEASE_TIME)
    assert again.status == "unchanged"


def test_failed_run_leaves_index_html_byte_identical(two_sources, tmp_path):
    tables, source = two_sources[0]
    output = tmp_path / "out"
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    before = (output / CATALOG_FILE).read_bytes()
    everything = snapshot(output)

    def explode(staging: Path) -> None:
        assert (staging / DUCKDB_FILE).is_file()
        raise OSError("disk full (injected)")

    edited_tables, edited = two_sources[1]
    with pytest.raises(OSError, match="injected"):
        publish_release(
            edited_tables,
            edited,
            PASSED_VALIDATION,
            output,
            now=RELEASE_TIME,
            before_rename=explode,
        )
    assert (output / CATALOG_FILE).read_bytes() == before
    assert snapshot(output) == everything


def test_an_unchanged_run_writes_a_missing_page(two_sources, tmp_path):
    """An output published before index.html existed gets the page on its next run."""
    tables, source = two_sources[0]
    output = tmp_path / "out"
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    page = (output / CATALOG_FILE).read_bytes()
    (output / CATALOG_FILE).unlink()
    result = publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    assert result.status == "unchanged"
    assert (output / CATALOG_FILE).read_bytes() == page


# --- the page builder on its own: escaping, live sources, history ---------------------------


def _entry(version: str, **fields) -> dict:
    return {
        "version": version,
        "published_at": "2026-11-27T06:00:00+00:00",
        "schema_version": "1.0.0",
        "source_sha256": "ab" * 32,
        "source_origin": "sources/article.txt",
        "row_counts": {"designations": 10},
        "files": [{"path": "designations.csv", "bytes": 2300, "sha256": "cd" * 32}],
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "absent", "present"),
    [
        pytest.param(
            {"source_origin": "<b onclick=alert(1)>.txt"},
            "<b onclick",
            "&lt;b onclick=alert(1)&gt;.txt",
            id="markup-in-a-file-name",
        ),
        pytest.param(
            {"source_origin": 'https://example.org/a"onmouseover="x'},
            '"onmouseover="',
            "&quot;onmouseover=&quot;",
            id="quote-in-a-url",
        ),
        pytest.param(
            {"permalink": "javascript:alert(1)", "revid": 42},
            'href="javascript:',
            "Wikipedia revision 42",
            id="javascript-permalink-is-not-a-link",
        ),
        pytest.param(
            {"files": [{"path": 'x"><b>.csv', "bytes": 1, "sha256": "00"}]},
            '"><b>',
            "x%22%3E%3Cb%3E.csv",
            id="markup-in-a-file-path",
        ),
        pytest.param(
            {"attribution": "<img src=x onerror=alert(1)>"},
            "<img",
            "&lt;img src=x onerror=alert(1)&gt;",
            id="markup-in-the-attribution",
        ),
    ],
)
def test_everything_from_the_index_is_escaped(fields, absent, present):
    page = render_catalog({"versions": [_entry("2026.11.27", **fields)]})
    assert absent not in page
    assert present in page


def test_live_source_shows_the_revision_and_its_permalink():
    permalink = "https://en.wikipedia.org/w/index.php?oldid=1234567"
    entry = _entry(
        "2026.11.27",
        source_origin="wikipedia:People's_Mojahedin_Organization_of_Iran",
        wiki="https://en.wikipedia.org/w/api.php",
        permalink=permalink,
        revid=1234567,
    )
    page = render_catalog({"versions": [entry]})
    assert f'href="{permalink}"' in page and "Wikipedia revision 1234567" in page


def test_history_releases_are_listed_with_their_own_folder():
    history = {"versions": [_entry("2026.11.27"), _entry("2026.11.28")]}
    page = render_catalog({"versions": [_entry("2026.11.27")]}, history)
    parsed = parse(page)
    assert [r[0].split()[0] for r in parsed.table_rows["history-table"]] == [
        "2026.11.28",
        "2026.11.27",
    ]
    assert "history/2026.11.28/designations.csv" in parsed.links
    assert "releases/2026.11.27/designations.csv" in parsed.links
    assert "history/index.json" in parsed.links and "#history" in parsed.links


def test_an_empty_output_says_so():
    page = parse(render_catalog({"versions": []}))
    assert "releases" in page.ids and "release-table" not in page.table_rows


@pytest.mark.slow
def test_mekdata_run_twice_then_a_failed_run(prefect_server, article_text, tmp_path):
    """End to end through `mekdata run`: two sources, a catalog that lists both and links
    every file (Data Docs included), a failed run that leaves it byte-identical, and an
    unchanged run that restores a deleted page without starting Prefect."""
    output = tmp_path / "out"
    edited = tmp_path / "edited.txt"
    edited.write_text(replace_once(article_text, *EDIT), encoding="utf-8")
    for source in (None, edited):
        args = ["run", "--output", str(output)] + (["--source", str(source)] if source else [])
        result = run_mekdata(*args, env=prefect_server.env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Published release" in result.stdout
    versions = json.loads((output / "index.json").read_text())["versions"]
    assert len(versions) == 2
    dom = dump_dom(output / CATALOG_FILE, tmp_path / "profile")
    page = parse(dom)
    assert [r[0].split()[0] for r in page.table_rows["release-table"]] == [
        v["version"] for v in reversed(versions)
    ]
    assert "Data Docs" in dom and "edited.txt" in dom
    for entry in versions:
        assert entry["validation"]["success"] and entry["validation"]["evaluated"] > 0
        assert f"{entry['validation']['successful']}/{entry['validation']['evaluated']}" in dom
    for link in page.links:
        parts = urllib.parse.urlsplit(link)
        if not parts.scheme and parts.path:
            assert (output / urllib.parse.unquote(parts.path)).is_file(), link
    assert any(link.endswith("data_docs/index.html") for link in page.links)

    before = (output / CATALOG_FILE).read_bytes()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"People's Mujahedin of Iran\n\nA short text with no tables.\n")
    failed = run_mekdata(
        "run", "--source", str(broken), "--output", str(output), env=prefect_server.env
    )
    assert failed.returncode == 3, failed.stderr[-3000:]
    assert (output / CATALOG_FILE).read_bytes() == before

    (output / CATALOG_FILE).unlink()
    again = run_mekdata(
        "run", "--source", str(edited), "--output", str(output), env=prefect_server.env
    )
    assert again.returncode == 0 and "Unchanged" in again.stdout
    assert (output / CATALOG_FILE).read_bytes() == before


def test_versions_published_before_the_page_get_verdict_and_changes_from_their_folder(output):
    """index.json entries written before the page existed lack its fields: the writer reads
    them from each release's validation.json and changes.json."""
    from storage.catalog import catalog_html

    index = json.loads((output / "index.json").read_text())
    for entry in index["versions"]:
        del entry["validation"], entry["changes"]
    old = output.parent / "old-output"
    shutil.copytree(output / "releases", old / "releases")
    (old / "index.json").write_text(json.dumps(index))
    page = parse(catalog_html(old))
    newest, oldest = page.table_rows["release-table"]
    assert "passed" in newest[4] and "passed" in oldest[4]
    assert f"against 2026.11.27: {EDIT_FINDINGS} rows added, 0 removed, 1 changed" in newest[5]
    (old / "releases" / "2026.11.28" / "changes.json").unlink()
    newest = parse(catalog_html(old)).table_rows["release-table"][0]
    assert "row counts only" in newest[5]
