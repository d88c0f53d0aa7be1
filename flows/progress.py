"""Progress a person can follow during a long run, wherever they watch it.

- On a terminal (stderr is a TTY): one ``rich`` bar per stage, with its rate and time left.
- Anywhere else (logs, CI, pipes): one plain line per stage at most every
  ``MEKDATA_PROGRESS_INTERVAL`` seconds (default 5; 0 for every update), and always a final
  line per stage, e.g. ``extracted 1250/10000 revisions (12.5%), 43.1/s, about 3 min 23 s left``.
- In the Prefect UI: one progress artifact, its percent weighted over the stages, updated at
  most as often as the lines (never per revision: thousands of calls would burden the server).

``ProgressReporter`` knows nothing of Prefect: the clock, the output and the artifact are
injected, so it is tested with a fake clock and a string buffer.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

from mekdata.errors import MekdataError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from storage.revision_cache import FetchSummary

INTERVAL_SETTING = "MEKDATA_PROGRESS_INTERVAL"
DEFAULT_INTERVAL_S = 5.0
# However often the lines come, the server gets at most one artifact update a second.
ARTIFACT_MIN_INTERVAL_S = 1.0
# Rate and time left are measured over this much recent time, not since the stage began: a
# re-run first walks through thousands of cached revisions in seconds, and a rate that kept
# them would promise an end hours too early once the real fetching starts.
RATE_WINDOW_S = 30.0
# While a run is still going its artifact stays below 100: that is for the finished run.
UNFINISHED_CEILING = 99.0
T = TypeVar("T")


class ProgressSettingError(MekdataError):
    """``MEKDATA_PROGRESS_INTERVAL`` is not a number of seconds."""

    exit_code = 2


def progress_interval(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds between two progress lines of a stage, from ``MEKDATA_PROGRESS_INTERVAL``."""
    raw = environ.get(INTERVAL_SETTING, "").strip()
    if not raw:
        return DEFAULT_INTERVAL_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ProgressSettingError(
            f"{INTERVAL_SETTING}={raw!r}: give the seconds between two progress lines, a "
            f"number of 0 or more (0 prints every update; unset means {DEFAULT_INTERVAL_S:g})."
        )
    return seconds


@dataclass(frozen=True)
class Stage:
    name: str  # a past participle: "listed 14 revisions"
    weight: float  # its share of the whole run in the artifact's percent
    units: tuple[str, str] = ("revision", "revisions")

    def unit(self, count: int) -> str:
        return self.units[count != 1]


class ArtifactSink(Protocol):
    def publish(self, percent: float, description: str) -> None: ...


# --- the words ----------------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def format_rate(per_second: float) -> str:
    if per_second < 0.1:
        return f"{per_second * 60:.1f}/min"
    return f"{per_second:.1f}/s"


def format_percent(fraction: float) -> str:
    return f"{fraction:.0%}" if fraction in (0.0, 1.0) else f"{fraction:.1%}"


@dataclass
class _StageState:
    stage: Stage
    total: int | None
    started: float
    done: int = 0
    note: str = ""
    finished: float | None = None
    last_line: float = 0.0
    samples: deque[tuple[float, int]] = field(default_factory=deque)

    def record(self, now: float) -> None:
        """Keep one sample a second over the rate window (and the one just before it)."""
        if self.samples and now - self.samples[-1][0] < 1.0 and len(self.samples) > 1:
            self.samples[-1] = (now, self.done)
        else:
            self.samples.append((now, self.done))
        while len(self.samples) > 2 and self.samples[1][0] <= now - RATE_WINDOW_S:
            self.samples.popleft()

    def rate(self, now: float) -> float | None:
        if self.finished is not None:
            spent = self.finished - self.started
            return self.done / spent if spent > 0 and self.done else None
        since, done_then = self.samples[0]
        if now <= since or self.done == done_then:
            return None
        return (self.done - done_then) / (now - since)

    def fraction(self) -> float:
        if self.finished is not None:
            return 1.0
        if not self.total:
            return 0.0  # an unknown total, or nothing yet known to do
        return min(self.done / self.total, 1.0)

    def line(self, now: float) -> str:
        name, unit = self.stage.name, self.stage.unit(self.done)
        aside = f" ({self.note})" if self.note else ""
        if self.finished is not None:
            spent = format_duration(self.finished - self.started)
            words = f"{name} {self.done} {unit}{aside} in {spent}"
        elif self.total is None:
            words = f"{name} {self.done} {unit}{aside} so far"
        else:
            percent = format_percent(self.done / self.total if self.total else 1.0)
            aside = f" ({percent}; {self.note})" if self.note else f" ({percent})"
            words = f"{name} {self.done}/{self.total} {self.stage.unit(self.total)}{aside}"
        rate = self.rate(now)
        if rate:
            words += f", {format_rate(rate)}"
            if self.finished is None and self.total is not None and self.done < self.total:
                words += f", about {format_duration((self.total - self.done) / rate)} left"
        return words


# --- the reporter -------------------------------------------------------------------------


class ProgressReporter:
    """Stages started, advanced and finished in order; shown as bars on a terminal ``console``,
    else as plain lines through ``emit`` (or written to ``stream``), and as an artifact.

    A failed artifact update is a warning, never the run's failure; after one (Prefect's
    client has already retried it) the artifact is left alone for the rest of the run.
    """

    def __init__(
        self,
        stages: Sequence[Stage],
        *,
        interval: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        stream: IO[str] | None = None,
        emit: Callable[[str], Any] | None = None,
        warn: Callable[[str], Any] | None = None,
        console: Console | None = None,
        artifact: ArtifactSink | None = None,
        auto_refresh: bool = True,
    ) -> None:
        self.stages = {stage.name: stage for stage in stages}
        self.interval = interval
        self.clock = clock
        self._stream = stream if stream is not None else sys.stderr
        self._emit = emit or self._write
        self._warn = warn or self._write
        self.artifact = artifact
        self._artifact_interval = max(interval, ARTIFACT_MIN_INTERVAL_S)
        self._artifact_published: float | None = None
        self._states: dict[str, _StageState] = {}
        self._closed = False
        self._completed = False
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if console is not None and console.is_terminal:
            self._bars = _terminal_bars(console, clock, auto_refresh)
            self._emit = emit or console.print
        self._last_refresh = -math.inf

    @property
    def on_terminal(self) -> bool:
        return self._bars is not None

    @property
    def drawing(self) -> bool:
        """Bars are being drawn (between the first stage's start and ``close``)."""
        return self._bars is not None and self._bars.live.is_started

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()

    # --- stages ---

    def start(self, name: str, total: int | None = None) -> None:
        stage = self.stages[name]
        now = self.clock()
        state = _StageState(stage, total, started=now, last_line=now)
        state.record(now)
        self._states[name] = state
        if self._bars is not None:
            if not self.drawing:
                _track(self)
                self._bars.console.push_theme(_bar_styles())
                self._bars.start()
            self._tasks[name] = self._bars.add_task(name, total=total, note="")
        self._publish(now, force=True)

    def update(self, name: str, done: int, note: str | None = None) -> None:
        """``done`` items of stage ``name`` so far; ``note`` says more (e.g. how many came
        from a cache)."""
        state = self._states[name]
        now = self.clock()
        state.done = done
        if note is not None:
            state.note = note
        state.record(now)
        if self._bars is not None:
            due = now - self._last_refresh >= 1 / self._bars.live.refresh_per_second
            self._bars.update(self._tasks[name], completed=done, note=state.note, refresh=due)
            if due:
                self._last_refresh = now
        elif now - state.last_line >= self.interval:
            state.last_line = now
            self._emit(state.line(now))
        self._publish(now)

    def advance(self, name: str, count: int = 1) -> None:
        self.update(name, self._states[name].done + count)

    def finish(self, name: str) -> None:
        state = self._states[name]
        now = self.clock()
        state.total = state.done  # a stage that ends has done all there was (a --limit is a cap)
        state.finished = now
        if self._bars is not None:
            self._bars.update(
                self._tasks[name],
                total=state.done,
                completed=state.done,
                note=state.note,
                refresh=True,
            )
        self._emit(state.line(now))
        self._publish(now, force=True)

    def counted(self, name: str, items: Iterable[T], total: int | None = None) -> Iterator[T]:
        """``items`` passed through, each counted as done in stage ``name`` (for a listing
        whose length is known only at its end)."""
        self.start(name, total)
        for done, item in enumerate(items, start=1):
            yield item
            self.update(name, done)
        self.finish(name)

    # --- the whole run ---

    def percent(self) -> float:
        if self._completed:
            return 100.0
        weights = sum(stage.weight for stage in self.stages.values())
        done = sum(state.stage.weight * state.fraction() for state in self._states.values())
        return min(100.0 * done / weights, UNFINISHED_CEILING) if weights else 0.0

    def describe(self) -> str:
        now = self.clock()
        return "\n".join(f"- {state.line(now)}" for state in self._states.values())

    def close(self, completed: bool = True) -> None:
        """The run ended: 100 in the artifact when it ``completed``; the bars stop either way
        (a failed run leaves the artifact where it was: the run's state says the rest)."""
        if self._closed:
            return
        self._closed = True
        self._completed = completed
        if completed:
            self._publish(self.clock(), force=True)
        if self.drawing:
            self._bars.stop()
            self._bars.console.pop_theme()
        _untrack(self)

    def _publish(self, now: float, force: bool = False) -> None:
        if self.artifact is None:
            return
        if (
            not force
            and self._artifact_published is not None
            and now - self._artifact_published < self._artifact_interval
        ):
            return
        self._artifact_published = now
        try:
            self.artifact.publish(round(self.percent(), 1), self.describe())
        except Exception as error:  # progress is a courtesy: it never fails the run
            self.artifact = None
            self._warn(
                f"The progress artifact could not be updated ({type(error).__name__}: "
                f"{error}); the run goes on without it."
            )


def _bar_styles():
    """rich's styles for progress bars, for a console whose theme lacks them (Prefect's
    console has only its own styles, and rich fails on a style it cannot find)."""
    # rich (0.09 s) where bars are drawn: the CLI imports this module for progress_interval.
    from rich.default_styles import DEFAULT_STYLES
    from rich.theme import Theme

    return Theme(
        {n: s for n, s in DEFAULT_STYLES.items() if n.startswith(("bar.", "progress."))},
        inherit=False,
    )


def _terminal_bars(console: Console, clock: Callable[[], float], auto_refresh: bool) -> Progress:
    # rich (0.09 s) where bars are drawn: the CLI imports this module for progress_interval.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items a second: recent while running, over the whole stage once finished."""

        def render(self, task) -> Text:
            if task.finished and task.finished_time:
                rate = task.completed / task.finished_time
            else:
                rate = task.speed
            return Text(format_rate(rate) if rate else "", style="progress.data.speed")

    return Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeRemainingColumn(elapsed_when_finished=True),
        TextColumn("{task.fields[note]}"),
        console=console,
        get_time=clock,
        auto_refresh=auto_refresh,
        speed_estimate_period=RATE_WINDOW_S,
    )


# Reporters whose bars are drawing: `closed_on_exit` stops them when a run ends, however it ends
# (a run that raises must not leave bars redrawing over its error, and the cursor hidden).
_drawing: list[ProgressReporter] = []


def _track(reporter: ProgressReporter) -> None:
    _drawing.append(reporter)


def _untrack(reporter: ProgressReporter) -> None:
    with contextlib.suppress(ValueError):
        _drawing.remove(reporter)


@contextlib.contextmanager
def closed_on_exit() -> Iterator[None]:
    """Stop the bars of any reporter started in the block and not closed by it."""
    before = list(_drawing)
    try:
        yield
    finally:
        for reporter in [r for r in _drawing if r not in before]:
            # The run's own error is what matters here: a display that fails to stop must
            # not replace it.
            with contextlib.suppress(Exception):
                reporter.close(completed=False)


# --- the history run --------------------------------------------------------------------

# First runs are dominated by the serial, polite fetching (a request per revision, a second or
# more each on Wikipedia); extraction is spread over the Dask workers; a listing is a request
# per 500 revisions.
HISTORY_STAGES = (Stage("listed", 5), Stage("fetched", 50), Stage("extracted", 45))
HISTORY_ARTIFACT_KEY = "mekdata-history-progress"


def fetch_note(summary: FetchSummary) -> str:
    identical = summary.identical
    repeated = f"{identical} identical to an earlier one, " if identical else ""
    return (
        f"{summary.fetched} new, {summary.cached} from the cache, {repeated}"
        f"{len(summary.failed)} failed"
    )


def fetch_callback(
    progress: ProgressReporter, name: str = "fetched"
) -> Callable[[int, FetchSummary], None]:
    """An ``on_progress`` for ``storage.revision_cache.fetch_missing``."""

    def on_fetch(_revid: int, summary: FetchSummary) -> None:
        done = summary.cached + summary.fetched + summary.identical + len(summary.failed)
        progress.update(name, done, note=fetch_note(summary))

    return on_fetch


class PrefectProgressArtifact:
    """A progress artifact of the current flow run, created on the first publish."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.id = None

    def publish(self, percent: float, description: str) -> None:
        # Prefect (1.9 s) in a flow run only: the CLI imports this module before it starts one.
        from prefect.artifacts import create_progress_artifact, update_progress_artifact

        if self.id is None:
            self.id = create_progress_artifact(percent, key=self.key, description=description)
        else:
            update_progress_artifact(self.id, percent, description=description)


def terminal_console() -> Console | None:
    """The console to draw bars on, or None when stderr is not a terminal.

    Prefect's own console handler when there is one: rich then prints Prefect's log lines
    above the bars instead of through them."""
    if not sys.stderr.isatty():
        return None
    # Prefect (1.9 s) and rich: the CLI imports this module before it starts a flow run.
    from prefect.logging.handlers import PrefectConsoleHandler
    from rich.console import Console

    logger: logging.Logger | None = logging.getLogger("prefect.flow_runs")
    while logger is not None:
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler) and handler.console.is_terminal:
                return handler.console
        logger = logger.parent if logger.propagate else None
    return Console(stderr=True)


def history_progress(logger: logging.Logger | logging.LoggerAdapter) -> ProgressReporter:
    """The reporter of a history flow run: bars on a terminal, lines in the run's log, and
    the run's progress artifact."""
    return ProgressReporter(
        HISTORY_STAGES,
        interval=progress_interval(),
        emit=logger.info,
        warn=logger.warning,
        console=terminal_console(),
        artifact=PrefectProgressArtifact(HISTORY_ARTIFACT_KEY),
    )
