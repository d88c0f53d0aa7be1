"""Versioned releases and verified downloads over a real HTTP server and a real S3 API, both
on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME

from ingestion.source import make_source
from storage.download import VerificationError, diff_versions, download_release
from storage.locations import Location, LocationError
from storage.publish import publish_release


@pytest.fixture(scope="module")
def two_releases(tables, source, tmp_path_factory):
    output = tmp_path_factory.mktemp("published")
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    altered = dict(tables)
    frame = tables["designations"].copy()
    frame.loc[frame["designation_id"] == "ca", "delisted_on"] = dt.datetime(2013, 1, 7)
    altered["designations"] = frame
    publish_release(
        altered, source, PASSED_VALIDATION, output, now=RELEASE_TIME + dt.timedelta(days=1)
    )
    return output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_url(two_releases):
    handler = functools.partial(_QuietHandler, directory=str(two_releases))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_index_lists_both_versions(two_releases):
    versions = Location(str(two_releases)).index()["versions"]
    assert [v["version"] for v in versions] == ["2026.11.27", "2026.11.28"]
    for entry in versions:
        assert {"published_at", "source_sha256", "schema_version", "files", "row_counts"} <= set(
            entry
        )


def test_download_latest_over_http(http_url, two_releases, tmp_path):
    result = download_release(http_url, "latest", tmp_path)
    assert result.version == "2026.11.28"
    published = two_releases / "releases" / "2026.11.28"
    for path in published.rglob("*"):
        if path.is_file():
            assert (result.path / path.relative_to(published)).read_bytes() == path.read_bytes()


def test_download_pinned_version(http_url, tmp_path):
    assert download_release(http_url, "2026.11.27", tmp_path).path == tmp_path / "2026.11.27"


def test_tampered_file_is_refused(two_releases, tmp_path):
    mirror = tmp_path / "mirror"
    import shutil

    shutil.copytree(two_releases, mirror)
    target = mirror / "releases" / "2026.11.28" / "designations.csv"
    target.write_bytes(target.read_bytes().replace(b"Canada", b"Canadx"))
    with pytest.raises(VerificationError, match=r"designations\.csv"):
        download_release(str(mirror), "latest", tmp_path / "to")
    assert list((tmp_path / "to").iterdir()) == []


def test_unknown_version(http_url, tmp_path):
    with pytest.raises(LocationError, match=r"2026\.11\.27, 2026\.11\.28"):
        download_release(http_url, "1999.01.01", tmp_path)


def test_diff_names_changed_values(http_url):
    text = diff_versions(http_url, "2026.11.27", "2026.11.28")
    assert "designation_id=ca" in text
    assert "`delisted_on` '2012-12-20' → '2013-01-07'" in text


def test_frictionless_validates_the_package(two_releases):
    from frictionless import validate

    report = validate(two_releases / "releases" / "2026.11.28" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.fixture(scope="module")
def s3_url(monkeypatch_module):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch_module.setenv(name, value)
    import boto3

    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="mekdata")
    yield "s3://mekdata/releases-test"
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_publish_to_s3_then_download(tables, source, s3_url, tmp_path):
    import fsspec

    fsspec.filesystem("s3").invalidate_cache()
    first = publish_release(tables, source, PASSED_VALIDATION, s3_url, now=RELEASE_TIME)
    assert first.status == "published"
    again = publish_release(tables, source, PASSED_VALIDATION, s3_url, now=RELEASE_TIME)
    assert again.status == "unchanged" and again.version == first.version
    index = Location(s3_url).index()
    assert [v["version"] for v in index["versions"]] == ["2026.11.27"]
    downloaded = download_release(s3_url, "latest", tmp_path)
    assert (downloaded.path / "designations.parquet").is_file()
    latest = json.loads(Location(s3_url).read_bytes("latest.json"))
    assert latest["version"] == "2026.11.27"
    page = Location(s3_url).read_bytes("index.html").decode()  # the catalog goes up too
    assert 'href="releases/2026.11.27/mekdata.duckdb"' in page


def test_s3_release_after_one_without_official_acts(tables, source, s3_url, tmp_path):
    """The first release with a new table follows one published before the table existed:
    the bucket's previous release is mirrored with the tables it has."""
    import fsspec

    bucket = s3_url + "-upgrade"
    fsspec.filesystem("s3").invalidate_cache()
    first = publish_release(tables, source, PASSED_VALIDATION, bucket, now=RELEASE_TIME)
    location = Location(bucket)
    index = location.index()
    entry = index["versions"][-1]
    entry["files"] = [f for f in entry["files"] if not f["path"].startswith("official_acts.")]
    filesystem, root = fsspec.core.url_to_fs(bucket)
    filesystem.pipe_file(f"{root}/index.json", json.dumps(index).encode())
    filesystem.rm_file(f"{root}/releases/{first.version}/official_acts.parquet")
    fsspec.filesystem("s3").invalidate_cache()
    edited = {**tables, "official_acts": tables["official_acts"].iloc[:-1]}
    second = publish_release(
        edited, source, PASSED_VALIDATION, bucket, now=RELEASE_TIME + dt.timedelta(days=1)
    )
    assert second.status == "published" and second.version != first.version


def test_cli_download_and_diff(two_releases, http_url, tmp_path):
    import subprocess
    import sys

    mekdata = str(Path(sys.executable).with_name("mekdata"))
    run = functools.partial(
        subprocess.run, capture_output=True, text=True, timeout=120, check=False
    )
    listed = run([mekdata, "releases", "--from", http_url])
    assert listed.returncode == 0 and "2026.11.28" in listed.stdout
    fetched = run([mekdata, "download", "latest", "--from", http_url, "--to", str(tmp_path)])
    assert fetched.returncode == 0 and "verified" in fetched.stdout
    changed = run([mekdata, "diff", "2026.11.27", "2026.11.28", "--from", str(two_releases)])
    assert changed.returncode == 0 and "2013-01-07" in changed.stdout
    missing = run(
        [mekdata, "download", "2001.01.01", "--from", http_url, "--to", str(tmp_path / "x")]
    )
    assert missing.returncode != 0 and "No release '2001.01.01'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_changed_source_names_the_changed_values(tables, article_text, tmp_path):
    """An edit to the article itself: the next release's change summary names old and new."""
    from transforms import extract_all

    output = tmp_path / "out"
    original = make_source(article_text.encode(), "article.txt")
    publish_release(tables, original, PASSED_VALIDATION, output, now=RELEASE_TIME)
    edited_text = article_text.replace("Designated on 24 May 2005,", "Designated on 2 June 2006,")
    assert edited_text != article_text
    edited = make_source(edited_text.encode(), "article.txt")
    result = publish_release(
        extract_all(edited_text), edited, PASSED_VALIDATION, output, now=RELEASE_TIME
    )
    assert result.status == "published"
    changes = (result.path / "CHANGES.md").read_text()
    assert "designation_id=ca" in changes
    assert "`listed_on` '2005-05-24' → '2006-06-02'" in changes


def test_failed_catalog_upload_puts_the_remote_index_back(tables, source, tmp_path):
    """An object store that refuses index.html after index.json went up: the release is
    removed and index.json and index.html are what they were (a real fsspec in-memory store,
    refusing one object)."""
    import uuid

    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from mekdata.errors import PublishError

    class RefusesCatalog(MemoryFileSystem):
        protocol = "refuses-catalog"
        refusing = False

        def put_file(self, lpath, rpath, *args, **kwargs):
            if self.refusing and str(rpath).endswith("index.html"):
                raise OSError("quota exceeded")
            return super().put_file(lpath, rpath, *args, **kwargs)

    fsspec.register_implementation("refuses-catalog", RefusesCatalog, clobber=True)
    url = f"refuses-catalog://out-{uuid.uuid4().hex}"
    first = publish_release(tables, source, PASSED_VALIDATION, url, now=RELEASE_TIME)
    assert first.status == "published"
    location = Location(url)
    index_before, page_before = location.read_bytes("index.json"), location.read_bytes("index.html")
    changed = {**tables, "notes": tables["notes"].iloc[0:0]}
    RefusesCatalog.refusing = True
    try:
        with pytest.raises(PublishError, match=r"index\.json and index\.html are as they were"):
            publish_release(
                changed, source, PASSED_VALIDATION, url, now=RELEASE_TIME + dt.timedelta(days=1)
            )
    finally:
        RefusesCatalog.refusing = False
    assert location.read_bytes("index.json") == index_before
    assert location.read_bytes("index.html") == page_before
    filesystem, root = fsspec.core.url_to_fs(url)
    assert filesystem.ls(f"{root}/releases", detail=False) == [f"{root}/releases/2026.11.27"]
