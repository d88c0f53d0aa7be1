"""Shared parsers: partial dates, counts and ranges, authority names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.authorities import authority_code, find_authorities
from transforms.citations import find_citations
from transforms.dates import PartialDate, find_dates, parse_date
from transforms.numbers import find_quantities, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        pytest.param("Designated on 8 July 1997", dt.date(1997, 7, 8), "day", id="day-month-year"),
        pytest.param("on September 21, 2012 and", dt.date(2012, 9, 21), "day", id="month-day-year"),
        pytest.param("Designated in May 2002,", dt.date(2002, 5, 1), "month", id="month-year"),
        pytest.param("lifted in June 2008,", dt.date(2008, 6, 1), "month", id="month-year-2"),
        pytest.param("since 1981, also", dt.date(1981, 1, 1), "year", id="year"),
        pytest.param(
            "In 1997, the United States", dt.date(1997, 1, 1), "year", id="year-before-comma"
        ),
        pytest.param("(1965-09-05)", dt.date(1965, 9, 5), "day", id="iso"),
        pytest.param("Sept. 3, 1979", dt.date(1979, 9, 3), "day", id="abbreviated-month"),
    ],
)
def test_parse_date(text, value, precision):
    date = parse_date(text)
    assert (date.value, date.precision) == (value, precision)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("beating an 1 October deadline", id="no-year"),
        pytest.param("13,500 persons", id="count-not-year"),
        pytest.param("US$300,000,000 to the", id="money"),
        pytest.param("the 2,665 persons", id="thousands-separator"),
    ],
)
def test_not_a_date(text):
    assert find_dates(text) == []


def test_impossible_day_is_not_a_date():
    assert all(d.precision != "day" for d in find_dates("31 February 2001"))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(("2008-06-24", "day"), ("2008-06-01", "month"), True, id="day-in-month"),
        pytest.param(("2012-09-28", "day"), ("2012-09-21", "day"), False, id="different-days"),
        pytest.param(("1997-07-08", "day"), ("1997-01-01", "year"), True, id="day-in-year"),
        pytest.param(("2002-05-01", "month"), ("2003-01-01", "year"), False, id="other-year"),
    ],
)
def test_same_event(a, b, same):
    first = PartialDate(dt.date.fromisoformat(a[0]), a[1])
    second = PartialDate(dt.date.fromisoformat(b[0]), b[1])
    assert first.same_event(second) is same
    assert second.same_event(first) is same


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        pytest.param("a 5,000–7,000-strong armed", 5000, 7000, None, id="en-dash-strong"),
        pytest.param("5,000-7,000 fighters", 5000, 7000, None, id="hyphen"),
        pytest.param("5,000\u22127,000 fighters", 5000, 7000, None, id="minus-sign"),
        pytest.param("between 3,000–5,000 is", 3000, 5000, "between", id="between-dash"),
        pytest.param("between 5,000 and 13,500 persons", 5000, 13500, "between", id="between-and"),
        pytest.param("5,000 to 13,500 (DoD estimate)", 5000, 13500, None, id="to"),
        pytest.param("some 2,900 members", 2900, 2900, "some", id="some"),
        pytest.param("about 15,000 fighters", 15000, 15000, "about", id="about"),
        pytest.param("over 4,000 MEK members", 4000, 4000, "over", id="over"),
        pytest.param("more than 280 MEK members", 280, 280, "more than", id="more-than"),
        pytest.param("at least 50 deaths", 50, 50, "at least", id="at-least"),
        pytest.param("around 3,000", 3000, 3000, "around", id="around"),
        pytest.param("2500 members", 2500, 2500, None, id="bare"),
        pytest.param("about eight to ten thousand were", 8000, 10000, "about", id="words"),
    ],
)
def test_parse_quantity(text, low, high, qualifier):
    quantity = parse_quantity(text)
    assert (quantity.low, quantity.high, quantity.qualifier) == (low, high, qualifier)


def test_and_joins_a_range_only_after_between():
    assert [(q.low, q.high) for q in find_quantities("in 2003 and 2004")] == [
        (2003, 2003),
        (2004, 2004),
    ]
    assert [(q.low, q.high) for q in find_quantities("10,000 members and 50,000 supporters")] == [
        (10000, 10000),
        (50000, 50000),
    ]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("United States", "US", id="us"),
        pytest.param("United Kingdom", "GB", id="gb"),
        pytest.param("Iran", "IR", id="iran-short-name"),
        pytest.param("European Union", "EU", id="eu"),
        pytest.param("Council of the European Union", "EU", id="eu-council"),
        pytest.param("United Nations", "UN", id="un"),
        pytest.param("U.S.", "US", id="us-initialism"),
        pytest.param("Japanese", "JP", id="adjective"),
        pytest.param("Canadian government", "CA", id="adjective-government"),
        pytest.param("In", None, id="iso-code-is-not-a-name"),
        pytest.param("Khomeini", None, id="person"),
    ],
)
def test_authority_code(name, code):
    assert authority_code(name) == code


def test_find_authorities_in_lead_sentence():
    text = (
        "This designation has since been lifted, first by the Council of the European "
        "Union on 26 January 2009,[64][65] by the U.S. government on 21 September 2012, by "
        "the Canadian government on 20 December 2012,[66] and by the Japanese government "
        "on 2013.[67]"
    )
    assert [m.code for m in find_authorities(text)] == ["EU", "US", "CA", "JP"]


@given(st.text())
def test_parsers_never_raise(text):
    find_dates(text)
    find_quantities(text)
    find_quantities(text, bare_words=True)
    find_citations(text)


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_quantity_round_trip(low, extra):
    high = low + extra
    text = f"between {low:,}–{high:,} members"
    quantity = parse_quantity(text)
    assert (quantity.low, quantity.high) == (low, high)


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_round_trip(value):
    written = f"on {value.day} {value.strftime('%B')} {value.year}"
    date = parse_date(written)
    assert (date.value, date.precision) == (value, "day")


@given(st.integers(min_value=1, max_value=2000))
def test_citation_marker_round_trip(number):
    assert [c.number for c in find_citations(f"text.[{number}]")] == [number]
