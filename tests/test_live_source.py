"""End to end: `mekdata run --source wikipedia:…` against the MediaWiki emulator on 127.0.0.1.

The CLI runs as a user runs it (a subprocess, against the session's Prefect server); the
emulator's request log shows what it asked of the wiki.
"""

from __future__ import annotations

import json
import re
import shutil

import pyarrow.parquet as pq
import pytest
from conftest import WIKI_ITEM, WIKI_OLD_TITLE, WIKI_TITLE, run_mekdata, snapshot
from test_html_text import comparable

from transforms.formats import to_arrow
from transforms.schema import TABLES

# The tables the issue asks to equal the bundled text's.
COMPARED = ("designations", "electoral_history", "membership_estimates", "references")


def test_serve_and_deployment_default_to_the_live_article():
    from flows.deployment import DEFAULT_SOURCE, build_deployment
    from ingestion.wikipedia import LIVE_SOURCE

    assert DEFAULT_SOURCE == LIVE_SOURCE
    assert build_deployment().parameters["source"] == LIVE_SOURCE


def run_live(prefect_server, wiki, output, source=f"wikipedia:{WIKI_OLD_TITLE}", env=None):
    return run_mekdata(
        "run",
        "--source",
        source,
        "--wiki-api",
        wiki.api_url,
        "--output",
        str(output),
        env={**prefect_server.env, "MEKDATA_CONTACT": "tests@example.org", **(env or {})},
    )


@pytest.fixture(scope="module")
def live_release(prefect_server, mediawiki, tmp_path_factory):
    """One release published from the emulated wiki through the old (redirecting) title, and
    the request log of that run."""
    mediawiki.reset()
    output = tmp_path_factory.mktemp("live") / "out"
    result = run_live(prefect_server, mediawiki, output)
    assert result.returncode == 0, result.stderr
    log = list(mediawiki.log)
    mediawiki.reset()
    return output, result, log


@pytest.mark.slow
def test_live_release_equals_the_bundled_tables(live_release, tables, article_text):
    output, result, _ = live_release
    assert "Published release" in result.stdout
    (release,) = (output / "releases").iterdir()
    text = (release / "source" / "article.txt").read_text(encoding="utf-8")
    published = {name: pq.read_table(release / f"{name}.parquet").to_pandas() for name in COMPARED}
    bundled = {name: to_arrow(TABLES[name], tables[name]).to_pandas() for name in COMPARED}
    # The keys are compared below: the HTML names refs the text cannot show.
    actual = comparable({n: f.drop(columns=_key_columns(f)) for n, f in published.items()}, text)
    expected = comparable(
        {n: f.drop(columns=_key_columns(f)) for n, f in bundled.items()}, article_text
    )
    for name in COMPARED:
        assert len(expected[name]) > 0
        import pandas as pd

        pd.testing.assert_frame_equal(actual[name], expected[name], obj=name)
    live_keys = _keys_by_number(published["references"])
    text_keys = _keys_by_number(bundled["references"])
    # A ref the page names (the emulator names each ref cited more than once, as editors do)
    # is keyed by its name; every other keeps the key the text gives it, but for the |p= or
    # |n= that told it from an entry of the same source that is now named.
    named = {n for n, key in live_keys.items() if key.startswith("name:")}
    assert named and len(named) < len(live_keys)
    assert {n: _source(k) for n, k in live_keys.items() if n not in named} == {
        n: _source(k) for n, k in text_keys.items() if n not in named
    }
    for name in COMPARED[:3]:
        for numbers, keys in zip(
            published[name]["citations"], published[name]["citation_keys"], strict=True
        ):
            assert list(keys) == [live_keys.get(n, f"missing:{n}") for n in numbers], name


def _source(key: str) -> str:
    return re.sub(r"(\|[pn]=[^|]*)+$", "", key)


def _keys_by_number(references) -> dict[int, str]:
    return dict(zip(references["ref_number"], references["ref_key"], strict=True))


def _key_columns(frame) -> list[str]:
    return [c for c in ("ref_key", "citation_keys", "enrichment_citation_keys") if c in frame]


@pytest.mark.slow
def test_live_release_names_its_revision(live_release, mediawiki):
    output, _, _ = live_release
    page = mediawiki.pages[WIKI_TITLE]
    revision = page.revisions[-1]
    (release,) = (output / "releases").iterdir()
    permalink = f"{mediawiki.base_url}/w/index.php?oldid={revision.revid}"
    history = (
        f"{mediawiki.base_url}/w/index.php?title=People%27s_Mojahedin_Organization_of_Iran"
        "&action=history"
    )
    expected = {
        "api_url": mediawiki.api_url,
        "title": WIKI_TITLE,
        "requested_title": WIKI_OLD_TITLE,
        "redirected_from": WIKI_OLD_TITLE,
        "pageid": page.pageid,
        "revid": revision.revid,
        "parentid": None,
        "timestamp": revision.timestamp,
        "sha1": revision.sha1,
        "size": revision.size,
        "wikibase_item": WIKI_ITEM,
        "permalink": permalink,
        "history": history,
    }
    metadata = json.loads((release / "source" / "metadata.json").read_text())
    recorded = metadata["wikipedia"]
    assert {k: recorded[k] for k in expected} == expected
    assert recorded["fetched_at"].startswith("20")
    assert metadata["url"] == permalink and metadata["licence"]["name"] == "CC-BY-SA-4.0"
    (entry,) = json.loads((output / "index.json").read_text())["versions"]
    assert {k: entry["wikipedia"][k] for k in expected} == expected
    assert entry["wikipedia"]["fetched_at"] == recorded["fetched_at"]
    # source/ keeps the API's HTML and the text the extractors read, which source_line cites.
    assert (release / "source" / "article.html").read_text(encoding="utf-8") == revision.html
    lines = (release / "source" / "article.txt").read_text(encoding="utf-8").split("\n")
    designations = pq.read_table(release / "designations.parquet").to_pylist()
    for row in designations:
        # Quotes fold the no-break spaces of flag icons (see transforms/).
        assert row["quote"] in lines[row["source_line"] - 1].replace("\xa0", " ")
    (source,) = json.loads((release / "datapackage.json").read_text())["sources"]
    assert source["path"] == permalink and str(revision.revid) in source["title"]
    assert "CC BY-SA 4.0" in source["attribution"] and history in source["attribution"]
    report = (release / "report.html").read_text(encoding="utf-8")
    assert f"href='{permalink}'" in report and f"href='{history.replace('&', '&amp;')}'" in report
    assert "CC BY-SA" in report
    listing = run_mekdata("releases", "--from", str(output))
    assert f"revision {revision.revid}" in listing.stdout


@pytest.mark.slow
def test_live_release_states_its_listings_on_the_pages_own_wikidata_item(live_release):
    """The statements' subject is the item the wiki links the page to; each line names an
    authority, and cites the act's URL where the record has one, else the permalink."""
    output, _, _ = live_release
    (release,) = (output / "releases").iterdir()
    lines = (release / "wikidata.qs").read_text(encoding="utf-8").splitlines()
    assert lines, "no statement written although the page names its Wikidata item"
    designations = pq.read_table(release / "designations.parquet").to_pylist()
    permalink = json.loads((release / "source" / "metadata.json").read_text())["url"]
    for line in lines:
        cells = line.split("\t")
        assert cells[:2] == [WIKI_ITEM, "P3461"]
        assert re.fullmatch(r"Q[1-9]\d*", cells[2])
        assert "S854" in cells or ("S4656" in cells and f'"{permalink}"' in cells)
    on_record = [row for row in designations if row["record_url"]]
    assert on_record
    for row in on_record:
        assert any(f'"{row["record_url"]}"' in line for line in lines)


@pytest.mark.slow
def test_live_run_is_polite(live_release):
    _, _, log = live_release
    # A first run: the revision (through the redirect), then its HTML; nothing else.
    assert [(r.params["action"], r.params.get("titles")) for r in log] == [
        ("query", WIKI_OLD_TITLE),
        ("parse", None),
    ]
    for request in log:
        assert "(tests@example.org)" in request.headers["User-Agent"]
        assert request.params["maxlag"] == "5"
    assert log[1].started >= log[0].finished


@pytest.mark.slow
def test_same_revision_again_publishes_nothing(live_release, prefect_server, wiki, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(live_release[0], output)
    before = snapshot(output)
    again = run_live(prefect_server, wiki, output)
    assert again.returncode == 0, again.stderr
    assert "Unchanged: revision" in again.stdout
    assert snapshot(output) == before
    # One small request, and no parse.
    assert [r.params["action"] for r in wiki.log] == ["query"]


@pytest.mark.slow
def test_flow_decides_unchanged_by_revid(live_release, prefect_api, wiki, tmp_path):
    """The flow itself (as `serve` and deployments run it) asks once and renders nothing."""
    from flows.release_flow import release_flow

    output = tmp_path / "out"
    shutil.copytree(live_release[0], output)
    before = snapshot(output)
    result = release_flow(
        source=f"wikipedia:{WIKI_TITLE}", output=str(output), wiki_api=wiki.api_url
    )
    assert result.status == "unchanged"
    assert [r.params["action"] for r in wiki.log] == ["query"]
    assert snapshot(output) == before


NO_TABLES_HTML = (
    "<div class='mw-content-ltr mw-parser-output' lang='en' dir='ltr'>"
    "<p>The <b>MEK</b> may refer to several things.</p><h2>See also</h2></div>"
)


def _failure_setup(wiki, case: str) -> tuple[str, dict[str, str]]:
    """(source, environment) for a failure case; scripted faults are queued on ``wiki``."""
    if case == "missing-page":
        return "wikipedia:No such article anywhere", {}
    if case == "no-such-revision":
        return f"wikipedia:{WIKI_TITLE}@12345", {}
    if case == "deleted-revision":
        hidden = wiki.add_revision(
            "Revision-deleted page", NO_TABLES_HTML, "2021-01-01T00:00:00Z", hidden=True
        )
        return f"wikipedia:Revision-deleted page@{hidden.revid}", {}
    if case == "no-tables":
        if "Disambiguation page" not in wiki.pages:
            wiki.add_revision("Disambiguation page", NO_TABLES_HTML, "2021-02-01T00:00:00Z")
        return "wikipedia:Disambiguation page", {}
    if case == "parse-nosuchrevid":
        if "Article copy" not in wiki.pages:
            wiki.add_revision("Article copy", wiki.pages[WIKI_TITLE].revisions[-1].html)
        wiki.fail_next("nosuchrevid", action="parse")
        return "wikipedia:Article copy", {}
    if case == "budget":
        wiki.fail_next("slow", delay=5)
        return f"wikipedia:{WIKI_TITLE}", {"MEKDATA_WIKI_BUDGET": "1"}
    wiki.fail_next({"malformed-json": "malformed", "html-error-page": "html"}[case])
    return f"wikipedia:{WIKI_TITLE}", {}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param("missing-page", "does not exist", id="missing-page"),
        pytest.param("no-such-revision", "Revision 12345 does not exist", id="badrevids"),
        pytest.param("deleted-revision", "deleted from public view", id="deleted-revision"),
        pytest.param("parse-nosuchrevid", "does not exist", id="parse-nosuchrevid"),
        pytest.param("malformed-json", "not its JSON", id="malformed-json"),
        pytest.param("html-error-page", "not its JSON", id="html-error-page"),
        pytest.param("budget", "time budget of 1 s", id="budget-exhausted"),
        pytest.param("no-tables", "no infobox, no wikitable", id="no-tables"),
    ],
)
def test_failures_exit_2_and_publish_nothing(
    live_release, prefect_server, wiki, tmp_path, case, message
):
    output = tmp_path / "out"
    shutil.copytree(live_release[0], output)
    before = snapshot(output)
    source, env = _failure_setup(wiki, case)
    failed = run_live(prefect_server, wiki, output, source=source, env=env)
    assert failed.returncode == 2, failed.stdout + failed.stderr
    error_lines = [line for line in failed.stderr.splitlines() if line.startswith("mekdata: ")]
    assert len(error_lines) == 1 and message in error_lines[0], failed.stderr
    assert "Traceback" not in failed.stderr
    assert snapshot(output) == before
    assert not wiki.faults  # every scripted fault was met
