"""Re-running a history: unchanged, continued or rebuilt (storage/history_resume.py).

The decision is a pure function of the revision listing, the history index and the build;
these cases are the rules of the module's docstring, one by one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ingestion.wikipedia import Revision
from storage.history_resume import (
    FULL,
    RESUME,
    UNCHANGED,
    HistoryBuild,
    HistoryPlan,
    listing_digest,
    plan_history_run,
    prepare_run,
    range_start,
    resume_record,
    source_record,
)
from transforms.schema import HISTORY_TABLES

API = "http://127.0.0.1:8080/w/api.php"
TITLE = "People's Mojahedin Organization of Iran"
BUILD = HistoryBuild("f" * 64, {"blank_max_chars": 200, "shrink_ratio": 0.3})
FIRST_RUN = HistoryPlan(FULL, "no earlier history release")


def listing(count: int, *, first: int = 1000, title: str = TITLE) -> list[Revision]:
    """``count`` consecutive revisions as the API lists them, an hour apart."""
    return [
        Revision(
            api_url=API,
            title=title,
            requested_title=title,
            redirected_from=None,
            pageid=7,
            revid=revid,
            parentid=revid - 1 if revid > first else None,
            timestamp=f"2024-01-{1 + (revid - first) // 24:02d}T{(revid - first) % 24:02d}:00:00Z",
            sha1=f"{revid:040x}",
            size=100_000 + revid,
        )
        for revid in range(first, first + count)
    ]


def entry(
    published: list[Revision],
    *,
    version: str = "2026.01.01",
    since: str | None = None,
    build: HistoryBuild = BUILD,
) -> dict:
    """A history index entry as the flow writes it for a release of ``published``."""
    return {
        "version": version,
        "path": f"history/{version}/",
        "run": {
            "source": source_record(published, since, None, None),
            "revisions": len(published),
            **resume_record(published, build, FIRST_RUN, len(published)),
        },
    }


TEN = listing(10)
TWELVE = listing(12)
DELETED_IN_BETWEEN = TWELVE[:4] + TWELVE[5:]
HIDDEN_IN_BETWEEN = [dataclasses.replace(r, sha1=None) if r.revid == 1004 else r for r in TWELVE]


def without_listing_record(release: dict) -> dict:
    run = {k: v for k, v in release["run"].items() if k not in ("listing_sha1", "build")}
    return release | {"run": run}


@pytest.mark.parametrize(
    ("listed", "entries", "since", "rebuild", "mode", "reason"),
    [
        pytest.param(TEN, [entry(TEN)], None, False, UNCHANGED, "no new revision", id="no-new"),
        pytest.param(TWELVE, [entry(TEN)], None, False, RESUME, "2 new revisions", id="new"),
        pytest.param(TEN, [entry(TEN)], None, True, FULL, "--rebuild", id="rebuild-no-new"),
        pytest.param(TWELVE, [entry(TEN)], None, True, FULL, "--rebuild", id="rebuild-new"),
        pytest.param(TWELVE, [], None, False, FULL, "no earlier history release", id="first"),
        pytest.param(
            TWELVE,
            [entry(listing(10, title="Another page"))],
            None,
            False,
            FULL,
            "no earlier history release",
            id="other-page",
        ),
        pytest.param(
            TWELVE,
            [entry(TEN, build=dataclasses.replace(BUILD, fingerprint="0" * 64))],
            None,
            False,
            FULL,
            "other code",
            id="fingerprint-differs",
        ),
        pytest.param(
            TEN,
            [entry(TEN, build=dataclasses.replace(BUILD, config={"blank_max_chars": 100}))],
            None,
            False,
            FULL,
            "other settings",
            id="config-differs",
        ),
        pytest.param(
            TWELVE,
            [entry(TEN)],
            "2024-01-01",
            False,
            FULL,
            "no earlier release starts where this run does (2024-01-01T00:00:00Z)",
            id="since-differs",
        ),
        pytest.param(
            TWELVE,
            [entry(TEN, since="2024-01-01"), entry(TEN, version="2026.01.02")],
            "2024-01-01T00:00:00Z",
            False,
            RESUME,
            "continuing release 2026.01.01",
            id="since-same-moment-older-release",
        ),
        pytest.param(
            TWELVE[:9],
            [entry(TEN)],
            None,
            False,
            FULL,
            "1009, is no longer in the listing",
            id="last-revid-missing",
        ),
        pytest.param(
            DELETED_IN_BETWEEN,
            [entry(TEN)],
            None,
            False,
            FULL,
            "no longer those of release",
            id="revision-deleted-in-between",
        ),
        pytest.param(
            HIDDEN_IN_BETWEEN,
            [entry(TEN)],
            None,
            False,
            FULL,
            "no longer those of release",
            id="revision-hidden-in-between",
        ),
        pytest.param(
            TWELVE,
            [without_listing_record(entry(TEN))],
            None,
            False,
            FULL,
            "does not record its listing",
            id="release-before-resumable-releases",
        ),
        pytest.param(
            TWELVE,
            [entry(TEN[:5]), entry(TEN, version="2026.01.02")],
            None,
            False,
            RESUME,
            "continuing release 2026.01.02",
            id="the-newest-release-is-continued",
        ),
    ],
)
def test_a_rerun_is_unchanged_continued_or_rebuilt(listed, entries, since, rebuild, mode, reason):
    plan = plan_history_run(listed, entries, start=range_start(since), build=BUILD, rebuild=rebuild)
    assert (plan.mode, reason in plan.reason) == (mode, True), plan.reason
    if mode == FULL:
        assert (plan.previous, plan.kept) == (None, 0)
    else:
        assert plan.kept == len(TEN)  # every case continues or finds unchanged a release of TEN
        assert plan.previous["version"] in plan.reason


@pytest.mark.parametrize(
    ("listed", "mode"),
    [
        pytest.param(TEN, UNCHANGED, id="until-or-limit-selects-the-same-revisions"),
        pytest.param(TWELVE, RESUME, id="a-later-until-or-larger-limit-selects-more"),
        pytest.param(TEN[:8], FULL, id="an-earlier-until-or-smaller-limit-selects-fewer"),
    ],
)
def test_until_and_limit_only_decide_where_the_listing_ends(listed, mode):
    assert plan_history_run(listed, [entry(TEN)], start=None, build=BUILD).mode == mode


def test_the_listing_digest_sees_every_identity_field():
    base = listing_digest(TEN)
    for field in ("revid", "parentid", "timestamp", "sha1", "size"):
        altered = [dataclasses.replace(TEN[3], **{field: None}), *TEN[4:]]
        assert listing_digest([*TEN[:3], *altered]) != base, field


def _publish_fake(output: Path, published: list[Revision], damaged: bool) -> None:
    """A history index naming one release whose table files are there; with ``damaged``, a
    file no longer matches its recorded sha256."""
    release = entry(published)
    folder = output / release["path"]
    folder.mkdir(parents=True)
    files = []
    for name in HISTORY_TABLES:
        (folder / f"{name}.parquet").write_bytes(b"PAR1 not really")
        files.append({"path": f"{name}.parquet", "sha256": "0" * 64 if damaged else ""})
    release["files"] = files
    (output / "history" / "index.json").write_text(json.dumps({"versions": [release]}))


def test_a_damaged_previous_release_is_rebuilt_saying_why(tmp_path):
    _publish_fake(tmp_path, TEN, damaged=True)
    plan, previous = prepare_run(tmp_path, TWELVE, None, BUILD)
    assert previous is None
    assert plan.mode == FULL
    assert "release 2026.01.01 cannot be continued" in plan.reason
    assert "no longer matches the sha256" in plan.reason


def test_a_release_folder_that_is_gone_is_not_compared_with(tmp_path):
    _publish_fake(tmp_path, TEN, damaged=True)
    for path in sorted((tmp_path / "history" / "2026.01.01").iterdir()):
        path.unlink()
    (tmp_path / "history" / "2026.01.01").rmdir()
    plan, _ = prepare_run(tmp_path, TEN, None, BUILD)
    assert (plan.mode, plan.reason) == (FULL, f'no earlier history release of "{TITLE}" from {API}')


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param("transforms/history.py", id="timelines"),
        pytest.param("transforms/ref_keys.py", id="reference-identity"),
        pytest.param("transforms/designations.py", id="an-extractor"),
        pytest.param("ingestion/html_text.py", id="the-renderer"),
        pytest.param("flows/history_flow.py", id="the-flow"),
        pytest.param("storage/history_resume.py", id="resuming"),
        pytest.param("expectations/history.json", id="the-checks"),
    ],
)
def test_an_edit_to_what_decides_the_rows_is_another_build(changed, tmp_path, monkeypatch):
    """A history built by an older build is rebuilt, not continued: any edit to code that
    decides its rows changes the fingerprint the plan compares (the plan's own test above
    shows a different fingerprint means a full run)."""
    import shutil

    import storage.fingerprint as fingerprint
    from mekdata import REPO_ROOT
    from storage.fingerprint import HISTORY_BUILD_INPUTS, history_fingerprint

    for pattern in HISTORY_BUILD_INPUTS:
        for path in REPO_ROOT.glob(pattern):
            copy = tmp_path / path.relative_to(REPO_ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    monkeypatch.setattr(fingerprint, "REPO_ROOT", tmp_path)
    before = history_fingerprint()
    assert before == fingerprint.build_fingerprint(HISTORY_BUILD_INPUTS)
    target = tmp_path / changed
    target.write_bytes(target.read_bytes() + b"\n")
    after = history_fingerprint()
    assert after != before
    plan = plan_history_run(
        TWELVE,
        [entry(TEN, build=dataclasses.replace(BUILD, fingerprint=before))],
        start=None,
        build=dataclasses.replace(BUILD, fingerprint=after),
    )
    assert (plan.mode, plan.reason.endswith("was built by other code")) == ("full", True)
