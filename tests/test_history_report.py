"""A history release's report.html and datapackage.json, from the tables of the scripted
revision history (tests/revision_script.py) as the flow writes them: every scripted date
change in its designation's timeline, every listed change linked to its diff, nothing from the
article ever markup, and a datapackage that Frictionless accepts for the data it describes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tracemalloc
import urllib.parse
from collections import Counter
from pathlib import Path

import lxml.html
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from history_release import script_run, write_history_tables
from revision_script import revision_script

from expectations.history_checks import run_checks
from mekdata import CONTENT_LICENCE as LICENCE
from mekdata.layout import CATALOG_FILE, HISTORY_DIR
from pages.history_model import (
    MAX_EVENTS,
    MAX_EVENTS_PER_CLAIM,
    TIMELINE_DATES,
    TableRows,
    designation_timelines,
    history_rows,
    period_allowance,
    record_agreement,
    select_events,
)
from pages.history_report import WikiLinks, render_history_report, timelines_html
from storage.history_publish import publish_history, write_history_formats
from transforms.schema import HISTORY_TABLES

SCRIPT = revision_script()
BY_REVID = {r.revid: r for r in SCRIPT}
VERSION = "2026.11.27"
# Events after the first revision, as the script expects them.
LATER_EVENTS = sum(len(s.events) for s in SCRIPT[1:])
INDEX = "https://en.wikipedia.org/w/index.php"


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> tuple[Path, dict]:
    """A staging folder as the flow leaves it for publish_history: tables, their CSV and
    DuckDB files, and checks."""
    folder = tmp_path_factory.mktemp("history") / ".staging-test"
    folder.mkdir()
    latest = write_history_tables(folder, SCRIPT)
    write_history_formats(folder)
    report = run_checks(folder, latest)
    assert report["success"], report
    return folder, report


@pytest.fixture(scope="module")
def tables(staged) -> dict[str, pd.DataFrame]:
    """The staged tables whole, to compare the page with and to make altered pages from."""
    return {name: pd.read_parquet(staged[0] / f"{name}.parquet") for name in HISTORY_TABLES}


@pytest.fixture(scope="module")
def page(staged):
    """The page as publishing makes it: from the staged files, a batch of rows at a time."""
    return lxml.html.fromstring(
        render_history_report(history_rows(staged[0]), VERSION, script_run(SCRIPT), staged[1])
    )


def _time_range(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    times = tables["revisions"]["timestamp"]
    return times.min(), times.max()


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d %B %Y").date()


def _periods(page, claim_key: str) -> list[dict[str, str]]:
    (section,) = page.xpath("//section[@class='claim'][@data-claim-key=$k]", k=claim_key)
    return [
        {"from": row.get("data-from-revid")}
        | {cell.get("data-column"): cell.text_content() for cell in row.xpath("td[@data-column]")}
        for row in section.xpath(".//tr[@class='period']")
    ]


def _query(href: str) -> dict[str, str]:
    parts = urllib.parse.urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == INDEX, href
    return dict(urllib.parse.parse_qsl(parts.query))


# --- the designation timelines ----------------------------------------------------------


def test_a_date_changed_and_changed_back_reads_as_three_periods(page):
    periods = _periods(page, "GB|")
    assert [(p["from"], p["listed_on"]) for p in periods] == [
        ("1000", "28 March 2001"),
        ("1003", "29 March 2001"),
        ("1004", "28 March 2001"),
    ]
    (section,) = page.xpath("//section[@data-claim-key='GB|']")
    bars = [span.get("style") for span in section.xpath(".//td[@class='bar']/span")]
    colour = [style.split("background:")[1] for style in bars]
    assert colour[0] == colour[2] != colour[1]  # the revert returns to the first colour


SCRIPTED_DATE_CHANGES = [
    pytest.param(scripted.revid, expected, id=f"{scripted.revid}-{expected.claim_key}")
    for scripted in SCRIPT
    for expected in scripted.events
    if expected.table == "designations"
    and expected.event == "changed"
    and expected.column in TIMELINE_DATES
]


@pytest.mark.parametrize(("revid", "expected"), SCRIPTED_DATE_CHANGES)
def test_every_scripted_date_change_is_in_its_timeline(page, revid, expected):
    periods = _periods(page, expected.claim_key)
    starts = [p["from"] for p in periods]
    now = starts.index(str(revid))
    before, after = periods[now - 1], periods[now]
    column = expected.column
    assert _day(before[column]) == dt.date.fromisoformat(expected.old)
    assert _day(after[column]) == dt.date.fromisoformat(expected.new)
    (cell,) = page.xpath(
        "//section[@data-claim-key=$k]//tr[@data-from-revid=$r]/td[@data-column=$c]",
        k=expected.claim_key,
        r=str(revid),
        c=column,
    )
    assert "changed" in cell.get("class") and before[column] in cell.get("title")


def test_the_script_has_a_date_change_to_look_for():
    assert len(SCRIPTED_DATE_CHANGES) == 2


@pytest.mark.parametrize(
    ("claim_key", "first", "listed_on", "delisted_on", "now"),
    [
        pytest.param("NZ|", "1002", "1 March 2010", "5 May 2014", "still stated", id="added"),
        pytest.param("JP|", "1000", "", "2013", "1013", id="removed-year-precision"),
        pytest.param("EU|", "1000", "May 2002", "26 January 2009", "still stated", id="month"),
    ],
)
def test_timelines_start_end_and_keep_the_precision(
    page, claim_key, first, listed_on, delisted_on, now
):
    (period,) = _periods(page, claim_key)
    assert (period["from"], period["listed_on"], period["delisted_on"]) == (
        first,
        listed_on,
        delisted_on,
    )
    (section,) = page.xpath("//section[@data-claim-key=$k]", k=claim_key)
    until = section.xpath(".//tr[@class='period']/td")[1].text_content()
    assert now in until


def test_spans_that_state_the_same_dates_merge_and_a_gap_shows(tables):
    """GB's 29 March is made 28 March again (only the citations would differ): one period;
    the last span is moved after a removal: the timeline shows the gap as not stated."""
    spans = tables["designations_history"]
    gb = spans[spans["claim_key"] == "GB|"].sort_values("valid_from_revid").copy()
    gb.loc[gb.index[1], "listed_on"] = gb.loc[gb.index[0], "listed_on"]
    by_revid = tables["revisions"].set_index("revid")["timestamp"]
    gb.loc[gb.index[2], ["valid_from_revid", "valid_from"]] = [1007, by_revid[1007]]
    (timeline,) = designation_timelines(gb)
    assert [(p.from_revid, p.to_revid, p.gap_before) for p in timeline.periods] == [
        (1000, 1004, False),
        (1007, None, True),
    ]
    links = WikiLinks(INDEX, None)
    page = lxml.html.fromstring(timelines_html(gb, _time_range(tables), links))
    rows = page.xpath("//section[@class='claim']//tbody/tr")
    assert [r.get("class") for r in rows] == ["period", "gap", "period"]
    assert "not stated" in rows[1].text_content()
    assert [_query(h)["oldid"] for h in rows[1].xpath(".//a/@href")] == ["1004", "1007"]


@pytest.mark.parametrize(
    ("counts", "per_claim", "total", "allowed"),
    [
        pytest.param([5, 300, 300], 200, 1_000, [5, 200, 200], id="under-the-total"),
        pytest.param([300] * 10, 200, 1_000, [100] * 10, id="equal-shares"),
        pytest.param(
            [400, 50, 400, 400], 200, 400, [116, 50, 117, 117], id="short-one-leaves-rest"
        ),
        pytest.param([3, 0], 200, 1, [1, 0], id="empty-timeline-takes-nothing"),
        pytest.param([], 200, 1_000, [], id="no-timelines"),
    ],
)
def test_period_allowance(counts, per_claim, total, allowed):
    assert period_allowance(counts, per_claim, total) == allowed
    assert sum(allowed) <= total


def _flipping_spans(template: pd.Series, claims: dict[str, int], dates: list) -> pd.DataFrame:
    """Spans of claims whose listed_on flips at every revision: one period per span."""
    rows = []
    for claim_key, count in claims.items():
        for i in range(count):
            start = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=i)
            last = i == count - 1
            rows.append(
                {
                    **template.to_dict(),
                    "claim_key": claim_key,
                    "valid_from_revid": 5000 + i,
                    "valid_from": start,
                    "valid_to_revid": None if last else 5001 + i,
                    "valid_to": None if last else start + pd.Timedelta(hours=1),
                    "listed_on": dates[i % 2],
                }
            )
    return pd.DataFrame(rows).astype({"valid_to_revid": "Int64"})


def test_long_timelines_are_cut_per_listing_and_in_all(tables):
    """Thousands of spans would make thousands of rows: each listing shows at most
    max_periods, all together at most max_periods_total, shared equally, and the page says how
    many are left out and where they are."""
    spans = tables["designations_history"]
    gb = spans[spans["claim_key"] == "GB|"].sort_values("valid_from_revid")
    dates = gb["listed_on"].drop_duplicates().tolist()[:2]
    assert len(dates) == 2
    flipping = _flipping_spans(gb.iloc[0], {"A|": 5, "B|": 40, "C|": 40}, dates)
    (a, b, c) = designation_timelines(flipping, keep=30)
    assert [(t.period_count, t.date_changes, len(t.periods)) for t in (a, b, c)] == [
        (5, 4, 5),
        (40, 39, 30),
        (40, 39, 30),
    ]
    assert a.still_stated and c.periods[0].from_revid == 5000
    links = WikiLinks(INDEX, None)
    html = timelines_html(
        flipping, _time_range(tables), links, max_periods=30, max_periods_total=50
    )
    page = lxml.html.fromstring(html)
    shown = {
        section.get("data-claim-key"): len(section.xpath(".//tr[@class='period']"))
        for section in page.xpath("//section[@class='claim']")
    }
    assert shown == {"A|": 5, "B|": 22, "C|": 23}
    (note,) = page.xpath("//p[@id='periods-cut']")
    assert note.text_content().startswith("35 periods are not shown")
    assert "designations_history.parquet" in note.xpath("a/@href")
    summary = page.xpath("//h2[@id='timelines']/following-sibling::table[1]//tbody/tr")
    assert [row.xpath("td")[2].text for row in summary] == ["5", "40", "40"]
    assert "18 later periods are not shown" in page.xpath("//section[2]")[0].text_content()


# --- changed values and their diffs -----------------------------------------------------


def test_every_event_after_the_first_revision_is_listed_with_its_diff(page, tables):
    events = tables["claim_events"].set_index("seq")
    rows = page.xpath("//tr[@class='event']")
    later = events[events["base_revid"].notna()]
    assert sorted(int(r.get("data-seq")) for r in rows) == sorted(later.index)
    assert len(rows) == sum(len(s.events) for s in SCRIPT[1:])
    for row in rows:
        event = events.loc[int(row.get("data-seq"))]
        (link,) = row.xpath(".//a[@class='diff']")
        assert _query(link.get("href")) == {
            "diff": str(event["revid"]),
            "oldid": str(BY_REVID[event["revid"]].parentid),
        }
        assert link.text_content() == str(event["revid"])


def test_changed_dates_are_printed_as_stated(page):
    (claim,) = page.xpath("//tbody[@data-claim-key='GB|']")
    cells = [[td.text_content() for td in row.xpath("td")[:3]] for row in claim.xpath("tr")[1:]]
    dates = [c for c in cells if c[0] == "listed_on"]
    assert dates == [
        ["listed_on", "28 March 2001", "29 March 2001"],
        ["listed_on", "29 March 2001", "28 March 2001"],
    ]
    # The same edits made the article agree, then disagree, with the record (when the script
    # expects it: tests/revision_script.py reads the reviewed table of official acts).
    expected = [
        [e.column, e.old, e.new]
        for s in SCRIPT
        for e in s.events
        if e.claim_key == "GB|" and e.column == "record_agrees"
    ]
    assert [c for c in cells if c[0] == "record_agrees"] == expected


def test_the_first_revision_has_no_parent_and_links_itself(page):
    (paragraph,) = page.xpath("//p[@id='initial-claims']")
    (link,) = paragraph.xpath("a")
    assert _query(link.get("href")) == {"oldid": "1000"}
    assert "states 41 claims" in paragraph.text_content()


def test_revisions_are_counted_by_status_and_reason(page):
    (section_table,) = page.xpath("//h2[@id='revisions']/following-sibling::table[1]")
    counts = {
        tuple(td.text_content() for td in row.xpath("td")[:2]): int(row.xpath("td")[2].text)
        for row in section_table.xpath(".//tbody/tr")
    }
    assert counts == {
        ("extracted", ""): 8,
        ("unchanged_sections", ""): 1,
        ("identical", ""): 3,
        ("skipped", "blanked"): 1,
        ("skipped", "shrunk"): 1,
    }
    left_out = page.xpath("//tr[@class='left-out']")
    assert [r.get("data-revid") for r in left_out] == ["1008", "1010"]
    for row in left_out:
        revid = int(row.get("data-revid"))
        assert _query(row.xpath(".//a")[0].get("href")) == {
            "diff": str(revid),
            "oldid": str(revid - 1),
        }


def test_left_out_revisions_show_their_detail(page, tables):
    written = tables["revisions"].set_index("revid")["detail"]
    rows = page.xpath("//tr[@class='left-out']")
    assert rows
    for row in rows:
        shown = row.xpath("td")[4].text_content()
        assert shown and shown == written.loc[int(row.get("data-revid"))]


@pytest.mark.parametrize("listed", [pytest.param(1, id="one"), pytest.param(0, id="none")])
def test_left_out_revisions_past_the_cap_are_counted(staged, listed):
    page = lxml.html.fromstring(
        render_history_report(
            history_rows(staged[0]),
            VERSION,
            script_run(SCRIPT),
            staged[1],
            max_listed_revisions=listed,
        )
    )
    assert len(page.xpath("//tr[@class='left-out']")) == listed
    (heading,) = page.xpath("//h3[text()='Left out of the timelines']")
    (note,) = heading.xpath("following-sibling::p[@class='note'][1]")
    assert note.text_content() == f"{2 - listed} more are in revisions.parquet."


@pytest.mark.parametrize(
    ("batch_rows", "caps", "shown"),
    [
        pytest.param(1, {}, (LATER_EVENTS, 13, 2), id="a-row-at-a-time"),
        pytest.param(3, {}, (LATER_EVENTS, 13, 2), id="batches-across-claims"),
        pytest.param(
            1,
            {
                "max_events": 4,
                "max_events_per_claim": 1,
                "max_periods": 2,
                "max_periods_total": 5,
                "max_listed_revisions": 1,
            },
            (4, 5, 1),
            id="every-cap-across-batches",
        ),
        pytest.param(2, {"max_events_per_claim": 0}, (0, 13, 2), id="no-event-per-claim"),
        pytest.param(
            2,
            {"max_events": 0, "max_periods": 0, "max_periods_total": 0, "max_listed_revisions": 0},
            (0, 0, 0),
            id="caps-of-zero",
        ),
    ],
)
def test_the_page_read_in_batches_is_the_page_of_the_whole_tables(
    staged, tables, batch_rows, caps, shown
):
    """Publishing reads each table a few rows at a time (its memory must not follow the
    history's length); the page is the one made from the tables held whole, with the events,
    periods and left-out revisions the caps allow."""
    run = script_run(SCRIPT)
    whole = render_history_report(tables, VERSION, run, staged[1], **caps)
    read = render_history_report(
        history_rows(staged[0], batch_rows=batch_rows), VERSION, run, staged[1], **caps
    )
    assert read == whole
    page = lxml.html.fromstring(read)
    rows = ("//tr[@class='event']", "//tr[@class='period']", "//tr[@class='left-out']")
    assert tuple(len(page.xpath(xpath)) for xpath in rows) == shown


def _without_zone(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        **{
            c: frame[c].dt.tz_convert("UTC").dt.tz_localize(None)
            for c in frame.columns
            if isinstance(frame[c].dtype, pd.DatetimeTZDtype)
        }
    )


def _in_unit(unit: str):
    def alter(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(
            **{
                c: frame[c].dt.as_unit(unit)
                for c in frame.columns
                if isinstance(frame[c].dtype, pd.DatetimeTZDtype)
            }
        )

    return alter


def _in_zone(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        **{
            c: frame[c].dt.tz_convert("Asia/Tehran")
            for c in frame.columns
            if isinstance(frame[c].dtype, pd.DatetimeTZDtype)
        }
    )


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(_without_zone, id="no-zone-taken-as-utc"),
        pytest.param(_in_unit("s"), id="seconds"),
        pytest.param(_in_unit("ns"), id="nanoseconds"),
        pytest.param(_in_zone, id="another-zone"),
    ],
)
def test_the_page_does_not_depend_on_how_timestamps_are_held(staged, tables, alter):
    run = script_run(SCRIPT)
    altered = {name: alter(frame) for name, frame in tables.items()}
    assert render_history_report(altered, VERSION, run, staged[1]) == render_history_report(
        tables, VERSION, run, staged[1]
    )


def test_a_span_far_in_the_future_is_shown(staged, tables):
    """Files hold milliseconds, which reach past the years nanoseconds can count."""
    spans = tables["designations_history"].copy()
    closed = spans.index[(spans["claim_key"] == "GB|") & spans["valid_to"].notna()][-1]
    spans["valid_to"] = spans["valid_to"].dt.as_unit("ms")
    spans.loc[closed, "valid_to"] = pd.Timestamp("2300-01-01", tz="UTC")
    page = lxml.html.fromstring(
        render_history_report(
            {**tables, "designations_history": spans}, VERSION, script_run(SCRIPT), staged[1]
        )
    )
    (section,) = page.xpath("//section[@data-claim-key='GB|']")
    assert "2300-01-01 00:00 UTC" in section.text_content()


def test_statuses_the_schema_does_not_know_are_counted_in_name_order(staged, tables):
    revisions = tables["revisions"].copy()
    revisions.loc[revisions.index[1], "status"] = "zzz"
    revisions.loc[revisions.index[2], "status"] = "aaa"
    page = lxml.html.fromstring(
        render_history_report(
            {**tables, "revisions": revisions}, VERSION, script_run(SCRIPT), staged[1]
        )
    )
    (counts,) = page.xpath("//h2[@id='revisions']/following-sibling::table[1]")
    statuses = [row.xpath("td")[0].text_content() for row in counts.xpath(".//tbody/tr")]
    assert statuses[-2:] == ["aaa", "zzz"]


def _later_events(claims: int, per_claim: int) -> pd.DataFrame:
    """Changes of many claims, the last claim's first: later claim keys sort first."""
    rows = []
    for claim in reversed(range(claims)):
        for _ in range(per_claim):
            rows.append(
                {
                    "seq": len(rows) + 1,
                    "table": "membership_estimates",
                    "claim_key": f"K{claim:05d}|",
                    "event": "changed",
                    "base_revid": 1,
                }
            )
    return pd.DataFrame(rows).astype({"base_revid": "Int64"})


def test_claims_past_the_event_cap_are_not_kept(tables):
    """A long history names thousands of claims: only those that can be listed are kept
    while the events are read, and the rest are counted as not listed."""
    events = _later_events(claims=2_000, per_claim=3)
    selection = select_events(TableRows(events, batch_rows=250), max_events=10, max_per_claim=2)
    listed = selection.listed["membership_estimates"]
    assert [(key, seen, len(shown)) for key, seen, shown in listed] == [
        (f"K{n:05d}|", 3, 2) for n in range(5)
    ]
    assert selection.omitted == 6_000 - 10
    first = [event["seq"] for event in listed[0][2]]
    assert first == sorted(first) == [5_998, 5_999]  # a claim's first events by seq

    many = TableRows(_later_events(claims=20_000, per_claim=1), batch_rows=250)
    tracemalloc.start()
    try:
        select_events(many, max_events=10, max_per_claim=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # each of 20,000 claims kept would be about 15 MB


@pytest.mark.parametrize(
    "caps",
    [
        pytest.param({"max_events": -1}, id="in-all"),
        pytest.param({"max_per_claim": -1}, id="per-claim"),
    ],
)
def test_negative_event_caps_are_refused(caps):
    with pytest.raises(ValueError, match="cannot be negative"):
        select_events(TableRows(_later_events(claims=2, per_claim=1)), **caps)


def test_the_page_reads_spans_in_claim_and_time_order_whatever_the_file_order(
    staged, tables, tmp_path
):
    """A continued release appends spans after those it copied: the page orders them."""
    shuffled = tmp_path / "shuffled"
    shutil.copytree(staged[0], shuffled)
    for name in ("designations_history", "claim_events", "revisions"):
        frame = pq.read_table(staged[0] / f"{name}.parquet")
        order = list(reversed(range(frame.num_rows)))
        pq.write_table(frame.take(order), shuffled / f"{name}.parquet", row_group_size=4)
    run = script_run(SCRIPT)
    assert render_history_report(
        history_rows(shuffled, batch_rows=5), VERSION, run, staged[1]
    ) == render_history_report(tables, VERSION, run, staged[1])


def test_source_history_and_licence_are_credited(page):
    (source,) = page.xpath("//p[@id='source-history']")
    hrefs = source.xpath(".//a/@href")
    assert f"{INDEX}?title=Scripted_history_of_the_MEK_article&action=history" in hrefs
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in hrefs
    assert f"{INDEX}?oldid=1000" in hrefs and f"{INDEX}?oldid=1013" in hrefs
    assert "Wikipedia contributors" in source.text_content()


@pytest.mark.parametrize(
    ("max_events", "per_claim"),
    [
        pytest.param(3, MAX_EVENTS_PER_CLAIM, id="page-cap"),
        pytest.param(MAX_EVENTS, 2, id="claim-cap"),
    ],
)
def test_long_event_lists_are_cut_with_a_pointer_to_the_table(
    tables, staged, max_events, per_claim
):
    per_key = Counter((e.table, e.claim_key) for s in SCRIPT[1:] for e in s.events)
    listed = min(max_events, sum(min(count, per_claim) for count in per_key.values()))
    html = render_history_report(
        tables,
        VERSION,
        script_run(SCRIPT),
        staged[1],
        max_events=max_events,
        max_events_per_claim=per_claim,
    )
    page = lxml.html.fromstring(html)
    assert len(page.xpath("//tr[@class='event']")) == listed
    for table in page.xpath("//table[@class='events']"):
        assert table.xpath(".//tr[@class='event']")  # no claim table without a listed event
    (note,) = page.xpath("//p[@id='events-cut']")
    assert f"{LATER_EVENTS - listed} events are not listed" in note.text_content()
    assert "claim_events.parquet" in note.xpath("a/@href")


def test_thousands_of_events_stay_a_readable_page(tables, staged):
    """A claim flipping back and forth over 6,000 revisions: the page lists a bounded number
    of them and says where the rest are."""
    flips = pd.DataFrame(
        [
            {
                "seq": seq,
                "revid": 2000 + seq,
                "parentid": 1999 + seq,
                "base_revid": 1999 + seq,
                "timestamp": pd.Timestamp("2024-02-01", tz="UTC") + pd.Timedelta(minutes=seq),
                "table": "designations" if seq % 3 else "membership_estimates",
                "claim_key": f"K{seq % 40}|",
                "event": "changed",
                "column": "listed_on" if seq % 3 else "low",
                "old_value": "2001-03-28",
                "new_value": "2001-03-29",
            }
            for seq in range(1, 6_001)
        ]
    ).astype({"base_revid": "Int64", "parentid": "Int64"})
    html = render_history_report(
        {**tables, "claim_events": flips}, VERSION, script_run(SCRIPT), staged[1]
    )
    page = lxml.html.fromstring(html)
    rows = page.xpath("//tr[@class='event']")
    assert len(rows) == MAX_EVENTS
    for claim in page.xpath("//tbody[@class='claim-events']"):
        assert len(claim.xpath("tr[@class='event']")) <= MAX_EVENTS_PER_CLAIM
    assert "4000 events are not listed" in page.xpath("//p[@id='events-cut']")[0].text_content()
    assert len(html) < 2_000_000


# --- untrusted text ---------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'
HOSTILE_ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def test_article_text_is_never_markup(tables, staged):
    spans = tables["designations_history"].copy()
    spans.loc[spans["claim_key"] == "GB|", "authority"] = HOSTILE
    spans.loc[spans["claim_key"] == "NZ|", "claim_key"] = HOSTILE_ATTRIBUTE
    events = tables["claim_events"].copy()
    events.loc[events["claim_key"] == "NZ|", "claim_key"] = HOSTILE_ATTRIBUTE
    changed = events.index[events["event"] == "changed"][0]
    events.loc[changed, "new_value"] = HOSTILE
    revisions = tables["revisions"].copy()
    revisions.loc[revisions["revid"] == 1008, "detail"] = HOSTILE_ATTRIBUTE
    run = script_run(SCRIPT)
    run["source"] |= {"title": "</title>" + HOSTILE, "history": "javascript:alert(1)"}
    changed_tables = {
        **tables,
        "designations_history": spans,
        "claim_events": events,
        "revisions": revisions,
    }
    html = render_history_report(changed_tables, VERSION, run, staged[1])
    page = lxml.html.fromstring(html)
    assert page.xpath("//script") == [] and page.xpath("//img") == []
    assert not [h for h in page.xpath("//a/@href") if h.lower().startswith("javascript")]
    text = page.text_content()
    assert text.count(HOSTILE) >= 3  # the authority, the changed value, the title
    assert HOSTILE_ATTRIBUTE in text
    assert page.xpath("//section[@data-claim-key=$k]", k=HOSTILE_ATTRIBUTE)

    # A wiki address that is not http(s) links nothing: revisions are shown, not linked.
    run["source"]["api"] = "javascript:alert(1)//w/api.php"
    page = lxml.html.fromstring(render_history_report(changed_tables, VERSION, run, staged[1]))
    schemes = {urllib.parse.urlsplit(h).scheme for h in page.xpath("//a/@href")}
    assert schemes == {"", "https"}
    assert [h for h in page.xpath("//a/@href") if "oldid" in h] == []
    assert page.xpath("//tr[@class='event']")


# --- publishing: report.html and datapackage.json ---------------------------------------


@pytest.fixture(scope="module")
def published(staged, tmp_path_factory) -> tuple[Path, dict]:
    folder, report = staged
    output = tmp_path_factory.mktemp("output")
    staging = output / HISTORY_DIR / folder.name
    staging.parent.mkdir()
    shutil.copytree(folder, staging)
    entry = publish_history(output, staging, report, script_run(SCRIPT), LICENCE)
    return output, entry


def test_the_report_is_published_listed_and_linked(published):
    output, entry = published
    release = output / entry["path"]
    sums = dict(
        reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines()
    )
    digest = hashlib.sha256((release / "report.html").read_bytes()).hexdigest()
    assert sums["report.html"] == digest
    assert {
        "path": "report.html",
        "bytes": (release / "report.html").stat().st_size,
        "sha256": digest,
    } in entry["files"]
    catalog = lxml.html.fromstring((output / CATALOG_FILE).read_text())
    assert f"{entry['path']}report.html" in catalog.xpath("//section[@id='history']//a/@href")
    # Every relative link of the report resolves inside the release.
    report = lxml.html.fromstring((release / "report.html").read_text())
    ids = set(report.xpath("//@id"))
    for href in report.xpath("//a/@href"):
        parts = urllib.parse.urlsplit(href)
        if parts.scheme:
            continue
        if parts.path:
            assert (release / urllib.parse.unquote(parts.path)).is_file(), href
        else:
            assert parts.fragment in ids, href


def test_every_table_ships_as_parquet_csv_and_in_one_duckdb_file(published):
    """As a release does: each table's CSV beside its Parquet file, the same rows, and one
    history.duckdb holding them all with their descriptions; all listed in SHA256SUMS and in
    the datapackage."""
    import csv
    import io

    import duckdb
    import pyarrow.parquet as pq

    from transforms.formats import csv_bytes

    output, entry = published
    release = output / entry["path"]
    sums = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    package = json.loads((release / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    connection = duckdb.connect(str(release / "history.duckdb"), read_only=True)
    try:
        for name, table in HISTORY_TABLES.items():
            parquet = pq.read_table(release / f"{name}.parquet")
            data = (release / f"{name}.csv").read_bytes()
            assert data == csv_bytes(table, parquet)  # written in batches, read back whole
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            assert rows[0] == table.column_names and len(rows) == parquet.num_rows + 1
            assert {f"{name}.csv", f"{name}.parquet"} <= sums
            csv_entry = resources[name]["mekdata:csv"]
            assert csv_entry["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
            in_duckdb = connection.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            assert in_duckdb.num_rows == parquet.num_rows
            assert in_duckdb.column_names == table.column_names
            key = list(table.primary_key)
            assert in_duckdb.sort_by([(k, "ascending") for k in key]).to_pylist() == (
                parquet.sort_by([(k, "ascending") for k in key]).to_pylist()
            )
        comment = connection.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'claim_events' "
            "AND column_name = 'claim_key'"
        ).fetchone()[0]
        assert comment == HISTORY_TABLES["claim_events"].column("claim_key").description
    finally:
        connection.close()
    assert "history.duckdb" in sums
    assert package["mekdata:duckdb"]["tables"] == list(HISTORY_TABLES)


def test_the_datapackage_describes_every_table_as_a_release_does(published):
    output, entry = published
    release = output / entry["path"]
    package = json.loads((release / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"] == [LICENCE]
    assert package["version"] == entry["version"]
    (source,) = package["sources"]
    assert source["path"] == f"{INDEX}?title=Scripted_history_of_the_MEK_article&action=history"
    assert source["mekdata:revisions"]["first"]["permalink"] == f"{INDEX}?oldid=1000"
    assert [r["name"] for r in package["resources"]] == list(HISTORY_TABLES)
    for resource in package["resources"]:
        data = (release / resource["path"]).read_bytes()
        assert resource["format"] == "parquet"
        assert resource["bytes"] == len(data)
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
        declared = HISTORY_TABLES[resource["name"]]
        assert resource["schema"]["primaryKey"] == list(declared.primary_key)
        assert [f["name"] for f in resource["schema"]["fields"]] == declared.column_names
        assert all(f["description"] for f in resource["schema"]["fields"])
        assert resource["mekdata:rows"] == entry["row_counts"][resource["name"]]


def test_frictionless_validates_the_package_and_the_data_it_describes(published):
    """Frictionless reads no Parquet without an extra, so the rows go to it as read by
    pyarrow: types, required values, enums, ranges and primary keys are all checked."""
    from frictionless import Package, Resource, Schema

    output, entry = published
    release = output / entry["path"]
    descriptor = json.loads((release / "datapackage.json").read_text())
    assert Package.validate_descriptor(descriptor).flatten(["type", "note"]) == []
    for resource in descriptor["resources"]:
        table = pq.read_table(release / resource["path"])
        rows = [
            table.column_names,
            *([row[c] for c in table.column_names] for row in table.to_pylist()),
        ]
        report = Resource(data=rows, schema=Schema.from_descriptor(resource["schema"])).validate()
        assert report.valid, (resource["name"], report.flatten(["rowNumber", "fieldName", "note"]))
        assert report.tasks[0].stats["rows"] == resource["mekdata:rows"]


def test_frictionless_finds_data_that_breaks_the_schema(published):
    """The check above can fail: a status outside the enum and a repeated key are errors."""
    from frictionless import Resource, Schema

    output, entry = published
    release = output / entry["path"]
    descriptor = json.loads((release / "datapackage.json").read_text())
    schema = next(r for r in descriptor["resources"] if r["name"] == "revisions")["schema"]
    table = pq.read_table(release / "revisions.parquet").to_pylist()
    broken = [table[0] | {"status": "vandalised"}, table[0]]
    rows = [list(broken[0]), *([row[c] for c in broken[0]] for row in broken)]
    report = Resource(data=rows, schema=Schema.from_descriptor(schema)).validate()
    errors = {error[1] for error in report.flatten(["rowNumber", "type"])}
    assert {"constraint-error", "primary-key"} <= errors


def test_a_report_that_cannot_be_rendered_publishes_nothing(staged, tmp_path):
    folder, report = staged
    output = tmp_path / "output"
    staging = output / HISTORY_DIR / folder.name
    staging.parent.mkdir(parents=True)
    shutil.copytree(folder, staging)
    (staging / "claim_events.parquet").write_bytes(b"not parquet")
    with pytest.raises(pa.ArrowInvalid, match="Parquet magic bytes not found"):
        publish_history(output, staging, report, script_run(SCRIPT), LICENCE)
    assert not (output / HISTORY_DIR / "index.json").exists()
    assert [p.name for p in (output / HISTORY_DIR).iterdir()] == [folder.name]
    assert not (output / CATALOG_FILE).exists()
    assert not (staging / "report.html").exists()


@pytest.fixture(scope="module")
def latest(tmp_path_factory) -> dict:
    """The latest extraction's claim tables, as the flow hands them to the gate."""
    return write_history_tables(tmp_path_factory.mktemp("latest"), SCRIPT)


def _tables_of(folder: Path, tmp_path: Path) -> Path:
    """A staging folder holding only ``folder``'s tables, as extraction leaves them."""
    staging = tmp_path / folder.name
    staging.mkdir()
    for name in HISTORY_TABLES:
        shutil.copy(folder / f"{name}.parquet", staging)
    return staging


def test_the_files_are_written_before_the_gate_which_passes(staged, latest, tmp_path):
    from flows.history_flow import formats_then_checks

    staging = _tables_of(staged[0], tmp_path)
    stages = []
    report = formats_then_checks(staging, latest, stages.append)
    assert report["success"]
    assert stages == ["formats", "check"]
    assert (staging / "history.duckdb").is_file()
    assert {f"{name}.csv" for name in HISTORY_TABLES} <= {p.name for p in staging.iterdir()}


@pytest.mark.parametrize(
    "break_tables, error, message",
    [
        pytest.param(
            "duplicate revision",
            "HistoryRunFailed",
            r"The timelines failed their checks \(\d+ problems",
            id="a-key-broken-in-the-tables-is-the-gates-to-report",
        ),
        pytest.param(
            "file in the way",
            "PublishError",
            r"history.duckdb already exists",
            id="the-files-failing-alone-fail-the-run-after-the-gate-passed",
        ),
    ],
)
def test_when_the_files_cannot_be_written(staged, latest, tmp_path, break_tables, error, message):
    """A duplicated revision breaks history.duckdb's key too, but the gate's report names the
    row; a failure of the files alone (here a file already in the way) still fails the run."""
    from flows.history_flow import formats_then_checks

    staging = _tables_of(staged[0], tmp_path)
    if break_tables == "duplicate revision":
        revisions = pq.read_table(staging / "revisions.parquet")
        pq.write_table(
            pa.concat_tables([revisions, revisions.slice(0, 1)]), staging / "revisions.parquet"
        )
    else:
        (staging / "history.duckdb").write_bytes(b"")
    with pytest.raises(Exception, match=message) as raised:
        formats_then_checks(staging, latest)
    assert type(raised.value).__name__ == error


# --- against the record -----------------------------------------------------------------


def test_agreement_with_the_record_through_time(page, tables):
    """Per designation with a record: the verdict changes are the record_agrees events, and
    each change starts a period at the revision that made it."""
    events = tables["claim_events"]
    flips = events[(events["column"] == "record_agrees") & (events["table"] == "designations")]
    spans = tables["designations_history"]
    with_record = set(spans.loc[spans["record_agrees"].notna(), "claim_key"])
    rows = page.xpath("//table[@id='record-agreement']/tbody/tr")
    assert {r.get("data-claim-key") for r in rows} == with_record
    for row in rows:
        key = row.get("data-claim-key")
        changes = flips[flips["claim_key"] == key]
        assert int(row.xpath("td")[1].text_content()) == len(changes)
        starts = [
            int(a.text_content()) for a in row.xpath(".//li/a[1]")
        ]  # each period's first link is its starting revision
        for revid in changes["revid"]:
            assert int(revid) in starts
    scripted = [e for s in SCRIPT for e in s.events if e.column == "record_agrees"]
    assert len(flips) == len(scripted)


def test_agreement_periods_merge_spans_with_the_same_verdict():
    frame = pd.DataFrame(
        {
            "claim_key": ["GB|", "GB|", "GB|", "US|"],
            "valid_from_revid": [1, 2, 3, 1],
            "valid_from": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-01"], utc=True
            ),
            "valid_to_revid": [2, 3, None, None],
            "valid_to": pd.to_datetime(["2024-01-02", "2024-01-03", None, None], utc=True),
            "authority": ["United Kingdom"] * 3 + ["United States"],
            "regime": [None] * 4,
            "record_agrees": pd.array([False, False, True, None], dtype="boolean"),
        }
    )
    (claim,) = record_agreement(frame)
    key, label, periods, changes = claim
    assert (key, label, changes) == ("GB|", "United Kingdom", 1)
    assert [(p.state, p.from_revid, p.to_revid) for p in periods] == [
        ("disagrees", 1, 3),
        ("agrees", 3, None),
    ]


def test_the_sources_section_says_when_each_source_of_a_claim_arrived(page):
    """r1012 gives Canada's row one more source: it arrived then; the others with the first
    revision. No revision of the script adds or removes a source of its own."""
    from revision_script import CANADA_LISTS, OTTAWA_DROPS, US_TAKES_OFF

    (section,) = page.xpath("//h2[@id='sources']")
    assert "No revision after the first added or removed a source." in "".join(
        p.text_content() for p in section.xpath("following-sibling::p")
    )
    rows = {
        (tr.xpath("td")[0].text_content(), tr.xpath("td")[1].text_content()): tr.xpath("td")[2]
        for tr in page.xpath("//table[@id='source-arrivals']/tbody/tr")
    }
    canada = rows[("designations", "CA|")].text_content()
    assert f"{US_TAKES_OFF} since 1012" in canada
    assert f"{CANADA_LISTS} since 1000" in canada and f"{OTTAWA_DROPS} since 1000" in canada
    assert ("designations", "JP|") not in rows  # removed in r1013: no longer stated
