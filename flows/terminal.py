"""How `mekdata show` lays a table out in a terminal of any width.

A grid is easiest to scan, but squeezed below its natural width rich folds every header and cell
to a few letters and nothing can be read. So the grid is used only when each chosen column fits
whole (its header, and its cells up to the cut width); otherwise each row is printed as a record,
one ``label: value`` line per field, wrapped to the terminal. Records have the room, so their
values are shown whole; the grid cuts long cells.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from transforms.dates import format_date
from transforms.schema import Table

LAYOUTS = ("auto", "grid", "records")
# rich's default box: one border character per column plus one, and one space each side.
GRID_BORDER = 1
GRID_CELL_PADDING = 2
RECORD_SEPARATOR = "─"
LIST_JOINER = ";"


def chosen_columns(table: Table, columns: str | None, show_all: bool) -> list[str]:
    """The columns to print: every column with ``--all``, those named with ``--columns``, else
    the table's display columns as the schema declares them."""
    if show_all:
        return table.column_names
    if columns:
        return [c.strip() for c in columns.split(",") if c.strip()]
    return list(table.display_columns)


def cell_text(value: Any, width: int | None, precision: str | None = None) -> str:
    """A cell as text, cut to ``width`` unless that is None; a date at its precision
    ("May 2002"), read from the row's ``<column>_precision`` even when that column is not
    shown."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_JOINER.join(str(v) for v in value)
    if isinstance(value, dt.date):
        value = format_date(value, precision)
    text = str(value)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def cells(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], width: int | None
) -> list[list[str]]:
    return [
        [cell_text(row[name], width, row.get(f"{name}_precision")) for name in columns]
        for row in rows
    ]


def grid_width(columns: Sequence[str], texts: Sequence[Sequence[str]]) -> int:
    """The terminal width a grid needs to print every header and cell on one line."""
    widths = [len(name) for name in columns]
    for row in texts:
        widths = [max(w, len(text)) for w, text in zip(widths, row, strict=True)]
    return sum(w + GRID_CELL_PADDING + GRID_BORDER for w in widths) + GRID_BORDER


def pick_layout(layout: str, columns: Sequence[str], texts, terminal_width: int) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if layout != "auto":
        return layout
    return "grid" if grid_width(columns, texts) <= terminal_width else "records"


def record_lines(
    columns: Sequence[str], texts: Sequence[Sequence[str]], terminal_width: int, first: int = 1
) -> list[str]:
    """Each row as a block of ``label: value`` lines, labels aligned, long values wrapped
    under their own column; blocks headed by the row's number."""
    label_width = max(len(name) for name in columns)
    value_width = max(terminal_width - label_width - 2, 20)
    lines: list[str] = []
    for number, row in enumerate(texts, start=first):
        heading = f"{RECORD_SEPARATOR * 2} row {number} "
        lines.append(heading + RECORD_SEPARATOR * max(terminal_width - len(heading), 0))
        for name, text in zip(columns, row, strict=True):
            wrapped = textwrap.wrap(text, value_width) or [""]
            lines.append(f"{name.ljust(label_width)}: {wrapped[0]}")
            lines.extend(" " * (label_width + 2) + more for more in wrapped[1:])
    return lines
