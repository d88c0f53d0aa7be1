"""format_date: one way to print a stored partial date, at the precision the text gave."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from transforms.dates import format_date, parse_date


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        pytest.param(dt.date(1981, 1, 1), "year", "1981", id="year-not-first-of-january"),
        pytest.param(dt.date(2002, 5, 1), "month", "May 2002", id="month-not-first-day"),
        pytest.param(dt.date(1997, 7, 8), "day", "8 July 1997", id="day-no-leading-zero"),
        pytest.param(pd.Timestamp("2009-01-26"), "day", "26 January 2009", id="timestamp"),
        pytest.param(pd.Timestamp("2008-01-01"), "year", "2008", id="timestamp-year"),
        pytest.param(dt.datetime(2012, 9, 21, 15, 30), "day", "21 September 2012", id="time"),
        pytest.param("2012-12-20", "day", "20 December 2012", id="iso-text"),
        pytest.param(dt.date(2020, 1, 2), None, "2 January 2020", id="no-precision-is-a-day"),
        pytest.param(dt.date(2020, 1, 2), float("nan"), "2 January 2020", id="nan-precision"),
        pytest.param(dt.date(2020, 1, 2), pd.NA, "2 January 2020", id="na-precision"),
        pytest.param(None, "day", "", id="none"),
        pytest.param(pd.NaT, "year", "", id="nat"),
        pytest.param(pd.NA, None, "", id="na"),
        pytest.param(float("nan"), "month", "", id="nan"),
    ],
)
def test_format_date(value, precision, expected):
    assert format_date(value, precision) == expected


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("since 1981", id="year"),
        pytest.param("Designated in May 2002", id="month"),
        pytest.param("Designated on 8 July 1997", id="day"),
        pytest.param("by the U.S. government on 21 September 2012", id="day-after-words"),
    ],
)
def test_a_date_prints_as_the_text_wrote_it(written):
    """Read and printed back, a date says what the sentence said, no more."""
    date = parse_date(written)
    assert written.endswith(format_date(date.value, date.precision))


def test_unknown_precision_is_loud():
    with pytest.raises(ValueError, match="precision"):
        format_date(dt.date(2000, 1, 1), "week")
