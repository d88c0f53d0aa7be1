"""`mekdata show` is readable at any terminal width: a grid when every column fits whole, else
one `label: value` line per field; by default only the table's display columns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME

from flows.terminal import (
    cell_text,
    cells,
    chosen_columns,
    grid_width,
    pick_layout,
    record_lines,
)
from storage.publish import publish_release
from transforms.schema import TABLES

MEKDATA = str(Path(sys.executable).with_name("mekdata"))
GRID_CORNER = "┏"
RECORD_HEADING = "── row 1 "


@pytest.fixture(scope="module")
def output(tables, source, tmp_path_factory):
    root = tmp_path_factory.mktemp("show") / "output"
    publish_release(tables, source, PASSED_VALIDATION, root, now=RELEASE_TIME)
    return root


def show(output: Path, columns: int, *args: str) -> str:
    result = subprocess.run(
        [MEKDATA, "show", *args, "--from", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # PYTHONPATH kept: a worktree's tests must run the worktree's code.
        env={"COLUMNS": str(columns), "PATH": "/usr/bin:/bin"}
        | {k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_table_declares_display_columns_that_exist():
    for table in TABLES.values():
        assert table.display_columns, table.name
        assert set(table.display_columns) <= set(table.column_names), table.name


@pytest.mark.parametrize(
    ("columns", "show_all", "expected"),
    [
        pytest.param(
            None, False, ["authority", "status", "listed_on", "delisted_on"], id="default"
        ),
        pytest.param("authority, regime", False, ["authority", "regime"], id="named"),
        pytest.param("authority", True, TABLES["designations"].column_names, id="all-wins"),
    ],
)
def test_chosen_columns(columns, show_all, expected):
    assert chosen_columns(TABLES["designations"], columns, show_all) == expected


@pytest.mark.parametrize(
    ("value", "width", "precision", "expected"),
    [
        pytest.param(None, 10, None, "", id="null"),
        pytest.param([290, 291], 10, None, "290;291", id="list"),
        pytest.param("a" * 12, 10, None, "a" * 9 + "…", id="cut"),
        pytest.param("a" * 12, None, None, "a" * 12, id="whole"),
    ],
)
def test_cell_text(value, width, precision, expected):
    assert cell_text(value, width, precision) == expected


def test_a_date_is_shown_at_its_precision():
    import datetime as dt

    assert cell_text(dt.date(2002, 5, 1), 20, "month") == "May 2002"
    assert cell_text(dt.date(1981, 1, 1), 20, "year") == "1981"


def test_grid_width_counts_headers_cells_padding_and_borders():
    # "│ abc │ de   │": 1 + (3 + 3) + (4 + 3) = 14
    assert grid_width(["abc", "d"], [["a", "de"], ["ab", "dede"]]) == 14


@pytest.mark.parametrize(
    ("terminal", "layout", "expected"),
    [
        pytest.param(14, "auto", "grid", id="fits-exactly"),
        pytest.param(13, "auto", "records", id="one-too-narrow"),
        pytest.param(200, "records", "records", id="asked-records"),
        pytest.param(5, "grid", "grid", id="asked-grid"),
    ],
)
def test_pick_layout(terminal, layout, expected):
    assert pick_layout(layout, ["abc", "d"], [["a", "de"], ["ab", "dede"]], terminal) == expected


def test_pick_layout_rejects_an_unknown_layout():
    with pytest.raises(ValueError, match="sideways"):
        pick_layout("sideways", ["a"], [["b"]], 80)


def test_records_align_labels_and_wrap_long_values_under_their_column():
    lines = record_lines(["authority", "quote"], [["Iran", "word " * 30]], 40)
    assert lines[0].startswith(RECORD_HEADING) and len(lines[0]) == 40
    assert lines[1] == "authority: Iran"
    assert lines[2].startswith("quote    : word")
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith(" " * 11 + "word") for line in lines[3:])
    assert " ".join(line[11:] for line in lines[2:]).split() == ["word"] * 30


def test_cells_read_each_dates_precision():
    rows = [{"listed_on": None, "delisted_on": None, "authority": "X"}]
    assert cells(rows, ["authority", "listed_on"], 10) == [["X", ""]]


@pytest.mark.slow
def test_designations_at_80_columns_is_a_readable_grid(output):
    text = show(output, 80, "designations")
    assert GRID_CORNER in text
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if "authority" in line)
    for name in ("authority", "status", "listed_on", "delisted_on"):
        assert name in header  # whole, not folded to a few letters
    us = next(line for line in lines if "United States" in line)
    assert "8 July 1997" in us and "28 September 2012" in us and "former" in us
    assert "May 2002" in text


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 200])
def test_every_column_that_does_not_fit_is_shown_as_records(output, columns):
    text = show(output, columns, "designations", "--all", "--limit", "2")
    assert GRID_CORNER not in text
    lines = text.splitlines()
    assert all(len(line) <= columns for line in lines)
    assert any(line.startswith(RECORD_HEADING) for line in lines)
    labels = {line.split(":")[0].strip() for line in lines if ": " in line}
    assert set(TABLES["designations"].column_names) <= labels
    assert "… 8 more rows" in text


@pytest.mark.slow
def test_at_200_columns_more_columns_stay_a_grid(output):
    chosen = "designation_id,authority,authority_code,status,regime,listed_on,delisted_on"
    text = show(output, 200, "designations", "--columns", chosen)
    assert GRID_CORNER in text
    header = next(line for line in text.splitlines() if "designation_id" in line)
    for name in chosen.split(","):
        assert name in header
    # The same columns do not fit 80: records, with every value whole.
    narrow = show(output, 80, "designations", "--columns", chosen)
    assert GRID_CORNER not in narrow
    assert "regime        : post-2003 government" in narrow


@pytest.mark.slow
def test_an_unknown_layout_is_a_clear_error(output):
    result = subprocess.run(
        [MEKDATA, "show", "designations", "--layout", "sideways", "--from", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "No layout 'sideways'" in result.stderr + result.stdout
