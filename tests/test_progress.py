"""Progress of a long run: plain lines for logs and CI, rich bars on a terminal, a weighted
percent for the Prefect artifact. A fake clock drives the reporter; no Prefect here (the
artifact against the real server is checked in tests/test_history_flow.py)."""

from __future__ import annotations

import io
import itertools
import re

import pytest

from flows.progress import (
    DEFAULT_INTERVAL_S,
    HISTORY_STAGES,
    INTERVAL_SETTING,
    ProgressReporter,
    ProgressSettingError,
    Stage,
    fetch_callback,
    progress_interval,
)
from storage.revision_cache import FetchSummary


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0  # a monotonic clock does not start at zero

    def __call__(self) -> float:
        return self.now


class Recorder:
    """What a reporter said (with when) and what it published as the artifact."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []
        self.published: list[tuple[float, float, str]] = []

    def emit(self, line: str) -> None:
        self.lines.append((self.clock.now, line))

    def publish(self, percent: float, description: str) -> None:
        self.published.append((self.clock.now, percent, description))

    def said(self) -> list[str]:
        return [line for _, line in self.lines]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def recorder(clock):
    return Recorder(clock)


def reporter(clock, recorder, interval=5.0, stages=HISTORY_STAGES, **options):
    return ProgressReporter(
        stages,
        interval=interval,
        clock=clock,
        emit=recorder.emit,
        artifact=recorder,
        **options,
    )


def walk(progress, clock, name, total, per_second, seconds):
    """``per_second`` revisions done every second for ``seconds`` seconds."""
    progress.start(name, total)
    done = 0
    for _ in range(seconds):
        clock.now += 1
        done += per_second
        progress.update(name, done)
    return done


# --- plain lines --------------------------------------------------------------------------


@pytest.mark.parametrize("interval", [1.0, 5.0, 12.5])
def test_a_stage_says_where_it_is_at_most_once_an_interval(clock, recorder, interval):
    progress = reporter(clock, recorder, interval)
    walk(progress, clock, "extracted", 1000, 2, 60)
    times = [when for when, _ in recorder.lines]
    assert len(times) == int(60 // interval)
    assert all(b - a >= interval for a, b in itertools.pairwise(times))


def test_an_interval_of_zero_says_every_update(clock, recorder):
    progress = reporter(clock, recorder, interval=0)
    walk(progress, clock, "extracted", 100, 1, 7)
    assert len(recorder.lines) == 7


def test_a_line_has_count_total_percent_rate_and_time_left(clock, recorder):
    progress = reporter(clock, recorder, interval=10)
    walk(progress, clock, "extracted", 10000, 125, 10)
    assert recorder.said() == [
        "extracted 1250/10000 revisions (12.5%), 125.0/s, about 1 min 10 s left"
    ]


def test_the_rate_is_recent_so_cache_hits_do_not_promise_an_early_end(clock, recorder):
    """A re-run goes through its cached revisions in seconds, then fetches one a second: after
    a minute of fetching, the time left is the fetching's, not the average's."""
    progress = reporter(clock, recorder, interval=70)
    progress.start("fetched", 2000)
    for done in range(100, 1001, 100):  # 1000 cached in 10 s
        clock.now += 1
        progress.update("fetched", done)
    for done in range(1001, 1061):  # then one a second
        clock.now += 1
        progress.update("fetched", done)
    assert recorder.said()[-1] == (
        "fetched 1060/2000 revisions (53.0%), 1.0/s, about 15 min 40 s left"
    )


def test_the_final_line_is_always_said_and_says_how_long(clock, recorder):
    progress = reporter(clock, recorder, interval=60)
    walk(progress, clock, "extracted", 30, 10, 3)
    assert recorder.lines == []  # three seconds: no line due yet
    progress.finish("extracted")
    assert recorder.said() == ["extracted 30 revisions in 3.0 s, 10.0/s"]


def test_a_listing_of_unknown_length_says_its_count_and_rate(clock, recorder):
    progress = reporter(clock, recorder, interval=6)
    listing = progress.counted("listed", range(1500))
    for index, _ in enumerate(listing):
        if index % 100 == 99:
            clock.now += 1
    assert recorder.said() == [
        "listed 600 revisions so far, 100.0/s",
        "listed 1200 revisions so far, 100.0/s",
        "listed 1500 revisions in 15 s, 100.0/s",
    ]


def test_a_listing_capped_by_a_limit_ends_when_the_wiki_has_no_more(clock, recorder):
    progress = reporter(clock, recorder, interval=0)
    listed = list(progress.counted("listed", iter(range(3)), total=50))
    assert listed == [0, 1, 2]
    assert recorder.said()[0] == "listed 1/50 revisions (2.0%)"  # no time passed: no rate
    assert recorder.said()[-1] == "listed 3 revisions in 0.0 s"


@pytest.mark.parametrize(
    "total", [pytest.param(0, id="nothing-to-do"), pytest.param(None, id="unknown")]
)
def test_a_stage_with_nothing_in_it_ends_cleanly(clock, recorder, total):
    progress = reporter(clock, recorder)
    progress.start("extracted", total)
    clock.now += 2
    progress.finish("extracted")
    assert recorder.said() == ["extracted 0 revisions in 2.0 s"]
    progress.close()
    assert recorder.published[-1][1] == 100.0


def test_fetching_says_how_many_came_from_the_cache(clock, recorder):
    progress = reporter(clock, recorder, interval=0)
    on_fetch = fetch_callback(progress)
    progress.start("fetched", 4)
    summary = FetchSummary()
    for revid, cached in [(1, True), (2, True), (3, False)]:
        clock.now += 1
        if cached:
            summary.cached += 1
        else:
            summary.fetched += 1
        on_fetch(revid, summary)
    summary.failed[4] = "SourceError: deleted"
    clock.now += 1
    on_fetch(4, summary)
    progress.finish("fetched")
    assert recorder.said()[2] == (
        "fetched 3/4 revisions (75.0%; 1 new, 2 from the cache, 0 failed), 1.0/s, about 1.0 s left"
    )
    assert recorder.said()[-1] == (
        "fetched 4 revisions (1 new, 2 from the cache, 1 failed) in 4.0 s, 1.0/s"
    )


@pytest.mark.parametrize(
    ("done", "total", "line"),
    [
        pytest.param(1, None, "listed 1 revision so far", id="one-so-far"),
        pytest.param(2, None, "listed 2 revisions so far", id="two-so-far"),
        pytest.param(1, 1, "listed 1/1 revision (100%)", id="one-of-one"),
        pytest.param(1, 3, "listed 1/3 revisions (33.3%)", id="one-of-three"),
    ],
)
def test_one_revision_is_singular(clock, recorder, done, total, line):
    progress = reporter(clock, recorder, interval=0)
    progress.start("listed", total)
    progress.update("listed", done)
    assert recorder.said() == [line]


def test_without_a_log_the_lines_go_to_the_stream(clock):
    stream = io.StringIO()
    progress = ProgressReporter(HISTORY_STAGES, interval=0, clock=clock, stream=stream)
    walk(progress, clock, "extracted", 4, 2, 2)
    progress.finish("extracted")
    assert not progress.on_terminal  # a StringIO is not a terminal
    assert stream.getvalue().splitlines() == [
        "extracted 2/4 revisions (50.0%), 2.0/s, about 1.0 s left",
        "extracted 4/4 revisions (100%), 2.0/s",
        "extracted 4 revisions in 2.0 s, 2.0/s",
    ]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param(None, DEFAULT_INTERVAL_S, id="unset"),
        pytest.param("", DEFAULT_INTERVAL_S, id="empty"),
        pytest.param("0", 0.0, id="every-update"),
        pytest.param(" 2.5 ", 2.5, id="fraction"),
    ],
)
def test_the_interval_setting(value, seconds):
    environ = {} if value is None else {INTERVAL_SETTING: value}
    assert progress_interval(environ) == seconds


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_bad_interval_setting_is_refused_with_what_to_give(value):
    with pytest.raises(ProgressSettingError, match=f"{INTERVAL_SETTING}=.*number of 0 or more"):
        progress_interval({INTERVAL_SETTING: value})


# --- the artifact -------------------------------------------------------------------------


def test_the_artifact_is_weighted_over_the_stages_and_100_only_at_the_end(clock, recorder):
    progress = reporter(clock, recorder, interval=5)
    list(progress.counted("listed", range(10)))
    assert recorder.published[-1][1] == 5.0  # listing's weight
    walk(progress, clock, "fetched", 10, 1, 5)  # half fetched
    assert recorder.published[-1][1] == 30.0
    clock.now += 5
    progress.update("fetched", 10)
    progress.finish("fetched")
    walk(progress, clock, "extracted", 10, 5, 2)
    progress.finish("extracted")
    assert recorder.published[-1][1] == 99.0  # finished stages; publishing is still to come
    progress.close()
    percents = [percent for _, percent, _ in recorder.published]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert recorder.published[-1][2].splitlines() == [
        "- listed 10 revisions in 0.0 s",
        "- fetched 10 revisions in 10 s, 1.0/s",
        "- extracted 10 revisions in 2.0 s, 5.0/s",
    ]


def test_the_artifact_is_not_updated_per_revision(clock, recorder):
    """Thousands of updates a minute, an artifact update at most once an interval (and once
    a second with an interval of 0) besides each stage's start and end."""
    for interval, most in [(5.0, 60 / 5), (0.0, 60)]:
        recorder.published.clear()
        progress = reporter(clock, recorder, interval)
        progress.start("extracted", 100_000)
        for _ in range(60 * 50):
            clock.now += 0.02
            progress.advance("extracted")
        progress.finish("extracted")
        assert len(recorder.published) <= most + 2


def test_a_failing_artifact_is_a_warning_and_the_run_goes_on(clock, recorder):
    class Unreachable:
        calls = 0

        def publish(self, percent, description):
            self.calls += 1
            raise ConnectionError("the Prefect server went away")

    warnings = []
    artifact = Unreachable()
    progress = ProgressReporter(
        HISTORY_STAGES,
        interval=0,
        clock=clock,
        emit=recorder.emit,
        warn=warnings.append,
        artifact=artifact,
    )
    walk(progress, clock, "extracted", 10, 1, 10)
    progress.finish("extracted")
    progress.close()
    assert artifact.calls == 1  # Prefect's client retried already: not again for each update
    assert warnings == [
        "The progress artifact could not be updated (ConnectionError: the Prefect server went "
        "away); the run goes on without it."
    ]
    assert recorder.said()[-1] == "extracted 10 revisions in 10 s, 1.0/s"


# --- the terminal -------------------------------------------------------------------------


def test_on_a_terminal_each_stage_is_a_bar_with_its_rate_and_time_left(clock):
    from rich.console import Console

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    progress = ProgressReporter(HISTORY_STAGES, clock=clock, console=console, auto_refresh=False)
    assert progress.on_terminal
    list(progress.counted("listed", range(40)))
    walk(progress, clock, "extracted", 40, 2, 10)
    frames = screen.getvalue()
    bar = re.compile(r"extracted\s+━+\S*\s+20/40\s+50%\s+2\.0/s\s+0:00:10")
    assert bar.search(frames), frames[-500:]
    progress.finish("extracted")
    progress.close()
    final = screen.getvalue()
    assert re.search(r"extracted\s+━+\s+20/20\s+100%\s+2\.0/s\s+0:00:10", final)  # elapsed
    assert "extracted 20 revisions in 10 s, 2.0/s" in final  # the final line, above the bars
    assert not progress.drawing


def test_bars_draw_on_a_console_with_only_its_own_styles(clock):
    """Prefect's console handler has a theme of its own styles only (no rich defaults); the
    bars share that console, so Prefect's log lines print above them."""
    from rich.console import Console
    from rich.errors import MissingStyle
    from rich.theme import Theme

    screen = io.StringIO()
    console = Console(
        file=screen, force_terminal=True, width=100, theme=Theme({"log.web_url": "blue"}, False)
    )
    progress = ProgressReporter(HISTORY_STAGES, clock=clock, console=console, auto_refresh=False)
    walk(progress, clock, "fetched", 10, 1, 3)
    progress.finish("fetched")
    progress.close()
    assert "3/3" in screen.getvalue()
    assert console.get_style("log.web_url").color.name == "blue"
    with pytest.raises(MissingStyle, match=r"bar\.back"):  # the console got its theme back
        console.get_style("bar.back")


def test_bars_stop_when_a_run_raises(clock):
    from rich.console import Console

    from flows.progress import closed_on_exit

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    progress = ProgressReporter(
        [Stage("fetched", 1)], clock=clock, console=console, auto_refresh=False
    )
    with pytest.raises(RuntimeError), closed_on_exit():
        progress.start("fetched", 10)
        assert progress.drawing
        raise RuntimeError("the wiki went away")
    assert not progress.drawing
