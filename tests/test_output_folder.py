"""The one publishing transaction (storage/output_folder.py: commit_version) that releases and
history releases share, and the one index reader, on real folders."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mekdata.errors import PublishError
from mekdata.layout import CATALOG_FILE, HISTORY_DIR, INDEX_FILE, LATEST_FILE, RELEASES_DIR
from storage.locations import Location, LocationError
from storage.output_folder import commit_version, latest_entry, read_index

PAGE = "<!DOCTYPE html>\n<title>catalog</title>\n"


def staged(output: Path, name: str = ".staging-x") -> Path:
    folder = output / name
    (folder / "sub").mkdir(parents=True)
    (folder / "table.csv").write_text("a\r\n1\r\n", encoding="utf-8")
    (folder / "sub" / "note.txt").write_text("note", encoding="utf-8")
    folder.chmod(0o700)
    return folder


def test_a_release_is_renamed_then_indexed_then_latest(tmp_path):
    staging = staged(tmp_path)
    (tmp_path / RELEASES_DIR).mkdir()
    target = tmp_path / RELEASES_DIR / "2026.01.02"
    index = {"name": "mekdata", "versions": [{"version": "2026.01.02"}]}
    latest = {"version": "2026.01.02", "path": f"{RELEASES_DIR}/2026.01.02/"}

    commit_version(
        tmp_path,
        staging,
        target,
        index_folder=tmp_path,
        index=index,
        catalog_page=PAGE,
        latest=latest,
    )

    assert not staging.exists()
    assert (target / "sub" / "note.txt").read_text(encoding="utf-8") == "note"
    assert json.loads((tmp_path / INDEX_FILE).read_text(encoding="utf-8")) == index
    assert json.loads((tmp_path / LATEST_FILE).read_text(encoding="utf-8")) == latest
    assert (tmp_path / CATALOG_FILE).read_text(encoding="utf-8") == PAGE
    for path in [target, *target.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path
    assert read_index(tmp_path) == index
    assert latest_entry(tmp_path) == {"version": "2026.01.02"}


def test_a_history_release_writes_its_own_index_and_no_latest(tmp_path):
    root = tmp_path / HISTORY_DIR
    staging = staged(root)
    index = {"name": "mekdata-history", "versions": [{"version": "2026.01.02"}]}

    commit_version(
        tmp_path, staging, root / "2026.01.02", index_folder=root, index=index, catalog_page=PAGE
    )

    assert read_index(root) == index
    assert not (tmp_path / INDEX_FILE).exists()
    assert not (tmp_path / LATEST_FILE).exists()
    assert (tmp_path / CATALOG_FILE).read_text(encoding="utf-8") == PAGE


def test_a_published_version_is_never_replaced(tmp_path):
    target = tmp_path / "2026.01.02"
    target.mkdir()
    (target / "kept.txt").write_text("published", encoding="utf-8")
    staging = staged(tmp_path)

    with pytest.raises(PublishError, match="already exists"):
        commit_version(
            tmp_path,
            staging,
            target,
            index_folder=tmp_path,
            index={"versions": []},
            catalog_page=PAGE,
        )

    assert (target / "kept.txt").read_text(encoding="utf-8") == "published"
    assert not (tmp_path / INDEX_FILE).exists()
    assert not (tmp_path / CATALOG_FILE).exists()


def test_a_version_whose_index_cannot_be_written_is_removed_again(tmp_path):
    (tmp_path / INDEX_FILE).mkdir()  # a folder where the index goes: replacing it fails
    staging = staged(tmp_path)
    target = tmp_path / "2026.01.02"

    with pytest.raises(PublishError, match="was removed again"):
        commit_version(
            tmp_path,
            staging,
            target,
            index_folder=tmp_path,
            index={"versions": []},
            catalog_page=PAGE,
        )

    assert not target.exists()
    assert not (tmp_path / CATALOG_FILE).exists()


def test_an_unreadable_index_stops_the_reader_but_not_the_shortcut(tmp_path):
    assert read_index(tmp_path) == {"versions": []}
    assert latest_entry(tmp_path) is None
    (tmp_path / INDEX_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(PublishError, match="Cannot read"):
        read_index(tmp_path)
    assert latest_entry(tmp_path) is None


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('["2026.12.07"]', id="a-list"),
        pytest.param('{"versions": "2026.12.07"}', id="versions-not-a-list"),
    ],
)
def test_both_index_readers_refuse_the_same_bad_index(tmp_path, content):
    """The local reader (publishing) and the location reader (releases, download, diff) read
    an index one way: what one refuses, so does the other."""
    (tmp_path / INDEX_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(PublishError, match="Cannot read"):
        read_index(tmp_path)
    with pytest.raises(LocationError, match="not a release index"):
        Location(str(tmp_path)).index()


def test_both_index_readers_agree_on_a_good_index(tmp_path):
    assert read_index(tmp_path) == Location(str(tmp_path)).index() == {"versions": []}
    index = {"versions": [{"version": "2026.12.07"}], "latest": "2026.12.07"}
    (tmp_path / INDEX_FILE).write_text(json.dumps(index), encoding="utf-8")
    assert read_index(tmp_path) == Location(str(tmp_path)).index() == index
