"""End to end through Prefect: the flow on the bundled article, and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import replace_once, run_mekdata, snapshot

from transforms.schema import TABLES

pytestmark = pytest.mark.slow
ARTICLE = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"


def run_cli(server, *args: str) -> subprocess.CompletedProcess:
    return run_mekdata(*args, env=server.env)


def test_flow_publishes_every_table(prefect_api, tmp_path):
    from flows.release_flow import release_flow

    result = release_flow(source=None, output=str(tmp_path))
    assert result.status == "published"
    for name, table in TABLES.items():
        parquet = pq.read_table(result.path / f"{name}.parquet")
        assert parquet.schema.names == table.column_names
        assert parquet.num_rows == result.row_counts[name] > 0 or name == "notes"
        assert (result.path / f"{name}.csv").stat().st_size > 0
    assert json.loads((tmp_path / "latest.json").read_text())["version"] == result.version
    docs = result.path / "data_docs"
    assert (docs / "index.html").is_file()
    assert len(list((docs / "validations").rglob("*.html"))) == len(
        json.loads((result.path / "validation.json").read_text())["suites"]
    )


def test_cli_run_then_unchanged(prefect_server, tmp_path):
    first = run_cli(prefect_server, "run", "--output", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "Published release" in first.stdout
    before = snapshot(tmp_path)
    second = run_cli(prefect_server, "run", "--output", str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert "Unchanged" in second.stdout
    assert snapshot(tmp_path) == before
    listing = run_cli(prefect_server, "releases", "--from", str(tmp_path))
    assert listing.returncode == 0 and listing.stdout.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        pytest.param(b"", 2, "is empty", id="empty-file"),
        pytest.param(b"\x00\x01\x02binary\x00", 2, "binary", id="binary"),
        pytest.param(
            b"<!DOCTYPE html><html><body>MEK</body></html>", 2, "HTML page", id="html-page"
        ),
        pytest.param(
            b"People's Mujahedin of Iran\n\nA short text with no tables.\n",
            3,
            "Validation failed",
            id="sections-missing",
        ),
        pytest.param("truncated", 3, "Validation failed", id="truncated-article"),
    ],
)
def test_cli_bad_input_publishes_nothing(prefect_server, tmp_path, content, code, message):
    output = tmp_path / "out"
    first = run_cli(prefect_server, "run", "--output", str(output))
    assert first.returncode == 0, first.stderr
    before = snapshot(output)
    source = tmp_path / "article.txt"
    if content == "truncated":  # the later sections cut off, as a broken download would
        article = ARTICLE.read_bytes()
        content = article[: article.index(b"Electoral history")]
    source.write_bytes(content)
    result = run_cli(prefect_server, "run", "--source", str(source), "--output", str(output))
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert str(source) in result.stderr or code == 3
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(output) == before


def test_cli_help_on_every_command():
    for args in ([], ["run"], ["releases"], ["download"], ["diff"], ["show"], ["serve"]):
        result = run_mekdata(*args, "--help", timeout=60)
        assert result.returncode == 0 and "Usage" in result.stdout


def test_cli_run_without_a_configured_server(tmp_path):
    """What `make run` does on a fresh machine: no PREFECT_API_URL, a new Prefect home; the CLI
    starts a temporary server on 127.0.0.1 for the run and stops it afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    result = run_mekdata("run", "--output", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(
        r"Started a temporary Prefect server \(process \d+\) on http://127\.0\.0\.1:", result.stderr
    )
    assert "Published release" in result.stdout
    # The worker read the file and validated while the server started; the flow's tables
    # were the same, so that validation was the answer.
    assert "Validated ahead" in result.stdout + result.stderr
    again = run_mekdata("run", "--output", str(tmp_path / "out"), env=env)
    assert again.returncode == 0 and "Unchanged" in again.stdout
    assert "temporary Prefect server" not in again.stderr  # unchanged: no server needed


def test_cli_gate_publishes_editor_slips_and_blocks_broken_tables(prefect_server, tmp_path):
    """The live article changes under us. A revision whose reference list shows a back-link
    fewer than the body's markers is an editor's slip: it publishes, with a source-quality
    finding. A revision whose designation table ends a listing before it starts gives a broken
    table: nothing is published (exit 3) and the output is untouched."""
    article = ARTICLE.read_text(encoding="utf-8")
    output = tmp_path / "out"
    first = run_cli(prefect_server, "run", "--output", str(output))
    assert first.returncode == 0, first.stderr
    references = pq.read_table(
        next((output / "releases").iterdir()) / "references.parquet"
    ).to_pandas()
    listed = references[
        (references["backlink_count"] == references["cited_count"])
        & (references["cited_count"] >= 2)
    ].iloc[0]
    number, count = int(listed["ref_number"]), int(listed["backlink_count"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    slip = tmp_path / "slip.txt"
    slip.write_text(
        replace_once(
            article,
            f"\n  {number}. ^ {' '.join(letters[:count])} ",
            f"\n  {number}. ^ {' '.join(letters[: count - 1])} ",
        ),
        encoding="utf-8",
    )
    published = run_cli(prefect_server, "run", "--source", str(slip), "--output", str(output))
    assert published.returncode == 0, published.stderr[-3000:]
    assert "Published release" in published.stdout
    latest = output / json.loads((output / "latest.json").read_text())["path"]
    findings = pq.read_table(latest / "findings.parquet").to_pandas()
    quality = findings[findings["kind"] == "source_quality"]
    assert list(quality["ref_number"]) == [number]
    validation = json.loads((latest / "validation.json").read_text())
    assert validation["success"] and not validation["gates"]["source_quality"]["success"]
    assert "source-quality" in (latest / "report.html").read_text(encoding="utf-8").lower()

    # The same tables from other bytes (one more trailing newline): the flow's own check must
    # call them unchanged before validating again, although the release also holds the
    # gate's finding.
    again = tmp_path / "slip-again.txt"
    again.write_text(slip.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rerun = run_cli(prefect_server, "run", "--source", str(again), "--output", str(output))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "nothing to validate or publish" in rerun.stdout + rerun.stderr
    assert latest.name in rerun.stdout

    before = snapshot(output)
    broken = tmp_path / "broken.txt"
    # Listed on 28 March 2001, now "delisted" three years before that.
    broken.write_text(
        replace_once(
            article,
            "United Kingdom Designated on 28 March 2001,[293] delisted on 24 June 2008[293]",
            "United Kingdom Designated on 28 March 2001,[293] delisted on 24 June 1998[293]",
        ),
        encoding="utf-8",
    )
    blocked = run_cli(prefect_server, "run", "--source", str(broken), "--output", str(output))
    assert blocked.returncode == 3, blocked.stderr[-3000:]
    assert "Validation failed, nothing was published" in blocked.stderr
    assert "designations.semantic.delisted_on" in blocked.stderr
    assert "Traceback" not in blocked.stderr + blocked.stdout
    assert snapshot(output) == before
