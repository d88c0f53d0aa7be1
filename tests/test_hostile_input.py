"""Hostile input and unseen encodings, end to end through `mekdata run`: a clear one-paragraph
error, a non-zero exit, nothing published, earlier releases byte-identical."""

from __future__ import annotations

import codecs
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_mekdata, snapshot

from ingestion.source import decode, make_source
from mekdata.errors import SourceError
from transforms import extract_all

ARTICLE = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"


# --- decoding, as plain functions -----------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be"),
        pytest.param(lambda t: t.encode("utf-32"), id="utf-32-bom"),
    ],
)
def test_encodings_give_the_same_tables(tables, article_text, encode):
    source = make_source(encode(article_text), "article.txt")
    altered = extract_all(source.text)
    for name, frame in tables.items():
        assert altered[name].equals(frame), name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \n\n\t ", "is empty", id="blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes", id="binary"),
        pytest.param("Mojahedin caf\xe9".encode("latin-1"), "not valid UTF-8", id="latin-1"),
        pytest.param("Iran".encode("utf-16-le"), "NUL bytes", id="utf-16-without-bom"),
        pytest.param(b"<html><head><title>x</title></head></html>", "HTML page", id="html"),
    ],
)
def test_refused_with_a_reason(data, message):
    with pytest.raises(SourceError, match=message) as raised:
        decode(data, "in.txt")
    assert "in.txt" in str(raised.value)


# --- end to end -----------------------------------------------------------------------------


def run_cli(server, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_mekdata("run", *args, env={**server.env, **env})


@pytest.fixture(scope="module")
def baseline(prefect_server, tmp_path_factory):
    """An output folder holding one release of the bundled article."""
    output = tmp_path_factory.mktemp("baseline")
    result = run_cli(prefect_server, "--output", str(output))
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture
def output(baseline, tmp_path):
    copy = tmp_path / "output"
    shutil.copytree(baseline, copy)
    return copy


@pytest.mark.slow
@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode(), id="bom-crlf"),
    ],
)
def test_other_encodings_are_unchanged_data(prefect_server, output, tmp_path, article_text, encode):
    before = snapshot(output)
    source = tmp_path / "article.txt"
    source.write_bytes(encode(article_text))
    result = run_cli(prefect_server, "--source", str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "Unchanged" in result.stdout
    assert snapshot(output) == before


FAILURES = [
    pytest.param("latin1", {}, 2, "not valid UTF-8", id="unknown-encoding"),
    pytest.param(
        "too-big", {"MEKDATA_MAX_SOURCE_BYTES": "1000"}, 2, "above the limit", id="size-limit"
    ),
    pytest.param("/missing.txt", {}, 2, "HTTP 404", id="url-404"),
    pytest.param("/slow.txt", {"MEKDATA_FETCH_TIMEOUT": "0.5"}, 2, "timed out", id="url-timeout"),
    pytest.param("/page.html", {}, 2, "HTML page", id="url-html"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("source", "env", "code", "message"), FAILURES)
def test_bad_input_publishes_nothing(
    prefect_server, article_server, output, tmp_path, source, env, code, message
):
    before = snapshot(output)
    if source == "latin1":
        path = tmp_path / "latin1.txt"
        path.write_bytes(
            ARTICLE.read_text().encode("utf-8").replace(b"Mujahedin", "Mujâhedin".encode("latin-1"))
        )
        source = str(path)
    elif source == "too-big":
        source = str(ARTICLE)
    else:
        source = article_server.url + source
    result = run_cli(prefect_server, "--source", source, "--output", str(output), **env)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert source in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()[-1]) > 20
    assert snapshot(output) == before


@pytest.mark.slow
def test_unwritable_output_location(prefect_server, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    result = run_cli(prefect_server, "--output", str(blocker / "out"))
    assert result.returncode == 4, result.stderr
    assert "is not writable" in result.stderr and str(blocker) in result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "in the way"
