"""Validating a long frame in row chunks, and merging Great Expectations' per-chunk results
into one result per expectation, as if GX had seen the whole frame.

GX validates a pandas frame in memory and makes several copies of it while it does (boolean
masks, filtered domains, unexpected-row frames). On a history of many revisions that cost
grows with the revision count. Row-wise expectations (a value in a set, not null, a pair of
columns in order) give the same verdict on consecutive slices of the rows as on the whole, so
they run chunk by chunk and the counts add up; the few that need every row at once (row count,
uniqueness) run on a narrow frame of only the columns they name.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

# Expectations whose verdict needs every row of the table at once: they run on
# ``Chunked.whole``.
TABLE_WIDE = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
    }
)
# Expectations about the frame's shape or column types, not its rows: every chunk of a frame
# has the same columns and dtypes, so each chunk answers for the whole.
SHAPE = frozenset(
    {
        "expect_table_columns_to_match_ordered_list",
        "expect_column_values_to_be_of_type",
    }
)
# GX's default length of partial_unexpected_list and its companions (we never change it).
PARTIAL_LENGTH = 20


@dataclass(frozen=True)
class Chunked:
    """A frame to validate in slices of rows.

    ``chunks`` yields the frame's rows in order, each slice with every column the suite
    names and an index that counts rows from the start of the whole frame (so a position GX
    reports is the row's position in the table). It must yield at least one slice, empty when
    the table is. ``whole`` holds every row but only the columns the table-wide expectations
    (row count, uniqueness) and the row keys name; None when the suite has none.
    ``parameters`` gives a chunk's own expectation parameters (added to the run's), for a
    parameter that only needs to cover the rows of that chunk.
    """

    chunks: Iterable[pd.DataFrame]
    whole: pd.DataFrame | None = None
    parameters: Callable[[pd.DataFrame], dict[str, Any]] | None = None


def chunk_kind(expectation_type: str) -> str:
    """``table_wide``, ``shape`` or ``row_wise``: how an expectation is run on a chunked
    frame. Raises for an expectation that is neither of the first two and not a map
    expectation (one GX evaluates row by row), since its verdict on slices would be wrong."""
    if expectation_type in TABLE_WIDE:
        return "table_wide"
    if expectation_type in SHAPE:
        return "shape"
    # Great Expectations costs 4.7 s at import: only where a suite runs (the validation worker,
    # the history checks); the release flow's driver imports this module and never loads it.
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    implementation = get_expectation_impl(expectation_type)
    if issubclass(
        implementation, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation
    ):
        return "row_wise"
    raise ValueError(
        f"{expectation_type} is neither row-wise nor one of the table-wide expectations "
        f"mekdata knows how to validate in chunks ({', '.join(sorted(TABLE_WIDE))}); run its "
        "suite on a whole frame or teach expectations/chunks.py how to merge it."
    )


def merge_results(parts: list[Any], declared_kwargs: dict[str, Any]) -> Any:
    """One ExpectationValidationResult from the results of one expectation on each chunk:
    counts summed, percentages recomputed as GX computes them, partial lists concatenated up
    to GX's length. A kwarg whose evaluated value differs between chunks (a parameter filled
    per chunk) is shown as declared."""
    # Great Expectations only where a suite runs (see chunk_kind).
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

    if len(parts) == 1:
        return parts[0]
    for part in parts:
        if (part.exception_info or {}).get("raised_exception"):
            return part
    first = parts[0]
    config = copy.deepcopy(first.expectation_config)
    for key, value in first.expectation_config.kwargs.items():
        if any(part.expectation_config.kwargs.get(key) != value for part in parts[1:]):
            config.kwargs[key] = declared_kwargs.get(key)
    results = [part.result or {} for part in parts]
    if "element_count" in results[0]:
        result = _merged_counts(results)
        mostly = config.kwargs.get("mostly")
        success = (
            all(part.success for part in parts)
            if mostly is None
            else _meets_mostly(result, float(mostly))
        )
    else:  # a shape expectation: every chunk observed the same columns and types
        failing = [part for part in parts if not part.success]
        result = (failing or parts)[0].result
        success = not failing
    return ExpectationValidationResult(
        success=success,
        expectation_config=config,
        result=result,
        meta=first.meta,
        exception_info=first.exception_info,
    )


def _merged_counts(results: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(results[0])
    elements = sum(r.get("element_count") or 0 for r in results)
    unexpected = sum(r.get("unexpected_count") or 0 for r in results)
    merged["element_count"] = elements
    merged["unexpected_count"] = unexpected
    total = unexpected / elements * 100 if elements else None
    if "missing_count" in merged:
        missing = sum(r.get("missing_count") or 0 for r in results)
        present = elements - missing
        nonmissing = unexpected / present * 100 if elements and present else None
        merged["missing_count"] = missing
        merged["missing_percent"] = missing / elements * 100 if elements else None
        merged["unexpected_percent_total"] = total
        merged["unexpected_percent_nonmissing"] = nonmissing
        merged["unexpected_percent"] = nonmissing
    else:
        merged["unexpected_percent"] = total
    for key in ("partial_unexpected_list", "partial_unexpected_index_list"):
        if key in merged:
            merged[key] = [v for r in results for v in r.get(key) or []][:PARTIAL_LENGTH]
    if "partial_unexpected_counts" in merged:
        merged["partial_unexpected_counts"] = _value_counts(merged["partial_unexpected_list"])
    return merged


def _value_counts(values: list[Any]) -> list[dict[str, Any]]:
    """GX's partial_unexpected_counts of the merged partial list, counted as GX counts its
    own (the first unexpected values of the whole frame, most frequent first, ties by value)."""
    immutable = [
        tuple(v.values()) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v
        for v in values
    ]
    try:
        ranked = sorted(Counter(immutable).most_common(PARTIAL_LENGTH), key=lambda x: (-x[1], x[0]))
    except TypeError:
        return [{"error": "partial_exception_counts requires a hashable type"}]
    return [{"value": value, "count": count} for value, count in ranked]


def _meets_mostly(result: dict[str, Any], mostly: float) -> bool:
    percent = result.get("unexpected_percent")
    return percent is None or (100 - percent) / 100 >= mostly
