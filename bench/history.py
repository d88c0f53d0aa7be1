"""Benchmark `mekdata history` on a synthetic history served by the MediaWiki emulator.

    .venv/bin/python bench/run.py --history     # 1,000 to 30,000 revisions (about 40 min)
    .venv/bin/python bench/history.py --sizes 300 --speedup-size 300   # a small trial
    .venv/bin/python bench/run.py --quick       # CI: includes a 30-revision run of this

1. ``tests/synthetic_history.py`` makes the largest size's revisions (seeded), and the emulator
   on 127.0.0.1 serves them, rendering each revision's HTML only when it is fetched.
2. The fetch cache is filled once, untimed, by a separate process running the flow's own fetch
   stage (the listing and ``fetch_missing``): that gives the cold fetch rate.
3. Every measured run is the `mekdata history` command (``--limit N --workers W``) into a fresh
   output folder whose ``history/cache`` is a hard-linked copy (``cp -al``) of the filled one:
   a warm cache, no disk spent, nothing re-fetched. The import floor (as in bench/run.py) is
   sampled before each run. Peak memory is the maximum over time of the summed RSS of the
   command's whole process tree (driver, Dask nanny and workers, the temporary Prefect server),
   sampled with psutil every 0.1 s. Stage seconds come from the release's index entry
   (``run.timings``).
4. Figures: each size end to end with 2 workers (seconds, revisions/s, peak memory, and its
   growth per revision, fitted over the sizes from STEADY_FROM up); the
   extraction stage with 1 and with 2 workers on the speed-up size; and the same command run
   again on the largest output (no new revisions): an "unchanged" answer should cost about the
   import floor. If it publishes again, the results say so.

Each release's revision statuses are checked against what the generator's edits must give, so
the benchmark cannot time the wrong work. Results: ``bench/results/history.json``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
import pyarrow.parquet as pq

# common puts the repository and tests/ on sys.path, which the imports after it need.
from common import BIN, FLOOR_IMPORTS, REPO_ROOT, RESULTS, SETTLE_S, base_env, timed
from mediawiki_emulator import MediaWikiEmulator
from synthetic_history import CLAIM_KINDS, serve_history, synthetic_history

from ingestion.wikipedia import WikiClient, WikiSource
from mekdata.layout import HISTORY_DIR
from storage.output_folder import read_index
from storage.revision_cache import RevisionCache, cache_root, fetch_missing

TITLE = "Synthetic history of the MEK article"
SEED = 17
SIZES = (1_000, 3_000, 10_000, 30_000)
# "Not growing with the revision count" is judged from this size up. The processes take
# thousands of revisions to reach their working size: in one 30,000-revision run the tree grew
# 13 MB from revision 1,150 to 10,100 and 4 MB from 10,100 to 20,100 (Dask's and Prefect's
# bounded logs and caches filling, code first run when the first row group is written), so a
# slope that starts at 1,000 measures that warm-up, not growth. Both slopes are reported.
STEADY_FROM = 10_000
MEMORY_BOUND_MB = 2_000
# "Not growing with the revision count": at most this many kB per revision, fitted over the
# sizes from STEADY_FROM up, for the whole run and for each stage (1 kB: 20 MB more for 20,000
# more revisions).
FLAT_KB_PER_REVISION = 1.0
QUICK_SIZE = 30
# The speed-up is read on 3,000 revisions: on 1,000 the fixed costs (each worker's first batch
# importing, the last batch's tail while the other worker idles) are a tenth of the 2-worker
# stage, and the same code gave 1.54× and 1.75× an hour apart (2026-12-07).
SPEEDUP_SIZE = 3_000
WORKERS = 2
SAMPLE_INTERVAL_S = 0.1
FETCH_BUDGET_S = "600"  # per revision (the emulator renders on demand); generous on a busy machine
TARGETS = {
    "speedup_2_workers": "≥ 1.7× one worker (extraction stage)",
    "seconds_10000": "≤ 600 s end to end, warm cache",
    "peak_memory": "≤ 2 GB, not growing with the revision count",
    "unchanged_rerun": "≤ 1.5× the import floor",
}


@dataclass
class Measured:
    """One `mekdata history` run."""

    revisions: int
    workers: int
    seconds: float
    floor: float  # the import floor sampled just before
    peak_rss_mb: float
    peak_by_role_mb: dict[str, float]
    peak_by_stage_mb: dict[str, float]  # extract, check_publish (stage_peaks)
    cpu_by_role_s: dict[str, float]  # user + system seconds, as last sampled
    timings: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    published: bool = True  # a new history version appeared
    events_elsewhere: int = 0  # revisions with events that edit no claim (should be 0)
    claim_edits_without_events: int = 0  # (should be 0)
    # Noise: claim events per revision among the revisions whose edit changes no claim (prose,
    # white space, reference maintenance, references added and removed with everything after
    # them renumbered, vandalism and its revert): 0 when renumbering is no event.
    noise_claim_events_per_revision: float | None = None
    claim_events_per_revision: float | None = None  # over every revision after the first
    reference_events: int = 0  # sources added, removed or changed (table references)

    @property
    def per_second(self) -> float:
        return self.revisions / self.seconds

    @property
    def extract_per_second(self) -> float | None:
        seconds = self.timings.get("extract")
        return self.revisions / seconds if seconds else None


# --- the process tree's memory ------------------------------------------------------------


def _role(process, root) -> str:
    if process.pid == root.pid:
        return "driver"
    try:
        command = process.cmdline()
        forked_by_root = process.ppid() == root.pid and command == root.cmdline()
    except Exception:  # gone, or not ours to read
        return "other"
    joined = " ".join(command)
    if (
        forked_by_root  # the temporary server, forked by the command (flows/temporary_server.py)
        or "uvicorn" in joined
        or "flows.temporary_server" in joined
        or ("prefect" in joined and "server" in joined)
    ):
        return "prefect server"
    return "dask"


def run_sampled(command: list[str], env: dict[str, str], log: Path) -> tuple[float, dict]:
    """Run ``command``, sampling the summed RSS of it and all its descendants; the wall time,
    the peaks (total and by role: driver, dask, prefect server) and the CPU seconds by role
    (where the two cores went). Output goes to ``log``."""
    with open(log, "w") as output:
        started = time.perf_counter()
        process = psutil.Popen(command, env=env, cwd=REPO_ROOT, stdout=output, stderr=output)
        peak = 0
        peak_by_pid: dict[int, tuple[str, int]] = {}
        cpu_by_pid: dict[int, float] = {}
        series: list[tuple[float, int]] = []  # (epoch seconds, summed RSS)
        while process.poll() is None:
            total = 0
            try:
                tree = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            for member in tree:
                try:
                    rss = member.memory_info().rss
                    cpu = member.cpu_times()
                except psutil.Error:
                    continue
                cpu_by_pid[member.pid] = cpu.user + cpu.system
                total += rss
                role, before = peak_by_pid.get(member.pid) or (_role(member, process), 0)
                peak_by_pid[member.pid] = (role, max(before, rss))
            peak = max(peak, total)
            series.append((time.time(), total))
            time.sleep(SAMPLE_INTERVAL_S)
        elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{log.read_text()[-3000:]}")
    by_role: dict[str, float] = collections.defaultdict(float)
    cpu_by_role: dict[str, float] = collections.defaultdict(float)
    for pid, (role, rss) in peak_by_pid.items():
        by_role[role] += rss / 1e6  # each process's own peak, summed by role
        cpu_by_role[role] += cpu_by_pid.get(pid, 0.0)
    return elapsed, {
        "total_mb": peak / 1e6,
        "by_role_mb": dict(by_role),
        "cpu_by_role_s": dict(cpu_by_role),
        "by_stage_mb": stage_peaks(series, log.read_text()),
    }


# The flow's plain progress lines (its output is not a terminal here) close each stage.
_LOG_TIME = r"^(?P<clock>\d\d:\d\d:\d\d\.\d+) \|.* - "
FETCHED_LINE = re.compile(_LOG_TIME + r"fetched \d+ revisions \(", re.MULTILINE)
EXTRACTED_LINE = re.compile(_LOG_TIME + r"extracted \d+ revisions in ", re.MULTILINE)
# The local cluster's workers stopped (flows/history_flow.py: release_workers): they belong
# to extraction, whatever the flow did between the two lines (the last spans, the writer).
RELEASED_LINE = re.compile(_LOG_TIME + r"Stopped the local cluster's \d+ workers", re.MULTILINE)


def stage_peaks(series: list[tuple[float, int]], log: str) -> dict[str, float]:
    """The summed RSS's peak while revisions were extracted (from the end of fetching to the
    end of extraction, the workers stopped: the stage that streams, which must not grow with
    the revision count) and after it (checks and publishing, which read the finished tables).
    Empty when the log has no such stages (an unchanged re-run)."""
    fetched = FETCHED_LINE.search(log)
    extracted = RELEASED_LINE.search(log) or EXTRACTED_LINE.search(log)
    if not series or not fetched or not extracted:
        return {}
    start = dt.datetime.fromtimestamp(series[0][0])

    def epoch(match: re.Match) -> float:
        clock = dt.time.fromisoformat(match["clock"])
        moment = dt.datetime.combine(start.date(), clock)
        if moment < start - dt.timedelta(hours=1):  # the run passed midnight
            moment += dt.timedelta(days=1)
        return moment.timestamp()

    extract_from, extract_to = epoch(fetched), epoch(extracted)

    def peak(lo: float, hi: float) -> float:
        return max((rss for t, rss in series if lo <= t <= hi), default=0) / 1e6

    return {
        "extract": peak(extract_from, extract_to),
        "check_publish": peak(extract_to, series[-1][0]),
    }


# --- the cache ------------------------------------------------------------------------------


def fill_cache(api_url: str, output: str, count: int) -> None:
    """The flow's list and fetch stages, in this process (run by ``_fill`` as a subprocess
    so the client and the emulator do not share one interpreter). Prints a JSON summary."""
    started = time.perf_counter()
    with WikiClient(api_url) as client:
        listed = list(client.revisions(WikiSource(TITLE), limit=count))
        by_revid = {r.revid: r for r in listed}
        listed_at = time.perf_counter()

        def progress(revid: int, summary) -> None:
            done = summary.fetched + summary.cached
            if done % 1000 == 0:
                rate = summary.fetched / (time.perf_counter() - listed_at)
                print(f"  fetched {done} of {len(listed)} ({rate:.1f}/s)", file=sys.stderr)

        def fetch(revid: int) -> str:
            client.restart_budget()  # as the flow does: a budget per revision
            return client.parse_html(by_revid[revid])

        summary = fetch_missing(
            RevisionCache(cache_root(Path(output))),
            [r.revid for r in listed],
            fetch,
            on_progress=progress,
        )
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "listed": len(listed),
                "list_seconds": listed_at - started,
                "fetched": summary.fetched,
                "cached": summary.cached,
                "failed": len(summary.failed),
                "fetch_seconds": finished - listed_at,
            }
        )
    )


def _fill(api_url: str, output: Path, count: int, env: dict[str, str]) -> dict:
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_ROOT / 'bench')!r}); import history; "
        f"history.fill_cache({api_url!r}, {str(output)!r}, {count})"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=None,  # progress on the terminal
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"Filling the fetch cache failed (exit {done.returncode}).")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    if (
        summary["failed"]
        or summary["listed"] != count
        or summary["fetched"] + summary["cached"] != count
    ):
        raise SystemExit(f"Filling the fetch cache went wrong: {summary}")
    return summary


def _claim_cache_dir(folder: Path, history) -> None:
    """Reuse ``folder``'s fetch cache only if it was filled from this very history: the cache
    is keyed by revid, and a different seed or generator gives other pages under the same
    revids. A cache of another history is emptied first."""
    marker = folder / "synthetic-history.json"
    identity = {r.revid: r.sha1 for r in history}
    if marker.exists():
        known = {int(k): v for k, v in json.loads(marker.read_text())["sha1"].items()}
        if any(identity.get(revid, sha1) != sha1 for revid, sha1 in known.items()):
            print(f"{folder} holds another history's cache: emptied.", file=sys.stderr)
            shutil.rmtree(folder)
            known = {}
        identity = known | identity
    elif folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"--cache-dir {folder} is not empty and not a cache this bench filled.")
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"sha1": identity}))


def warm_output(filled: Path, folder: Path) -> Path:
    """A fresh output folder whose fetch cache is a hard-linked copy of the filled one (the
    cache writes new files by rename, never in place, so the links cannot be altered)."""
    target = cache_root(folder)
    target.parent.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(cache_root(filled)), str(target)], check=True)
    return folder


# --- one measured run -------------------------------------------------------------------


def _versions(output: Path) -> list[dict]:
    return read_index(output / HISTORY_DIR)["versions"]


def _floor(env: dict[str, str], samples: list[float]) -> float:
    time.sleep(SETTLE_S)  # the previous run's server and cluster may still be stopping
    samples.append(timed([sys.executable, "-c", FLOOR_IMPORTS], env))
    return samples[-1]


def measure_run(
    api_url: str,
    output: Path,
    revisions: int,
    workers: int,
    env: dict[str, str],
    floors: list[float],
    revisions_served: list | None,
) -> Measured:
    floor = _floor(env, floors)
    before = len(_versions(output))
    command = [
        str(BIN / "mekdata"),
        "history",
        "--source",
        f"wikipedia:{TITLE}",
        "--wiki-api",
        api_url,
        "--limit",
        str(revisions),
        "--workers",
        str(workers),
        "--output",
        str(output),
    ]
    log = output.with_name(f"{output.name}-{len(floors)}.log")
    seconds, peaks = run_sampled(command, env, log)
    versions = _versions(output)
    published = len(versions) > before
    entry = versions[-1] if versions else {}
    run = entry.get("run", {}) if published else {}
    measured = Measured(
        revisions,
        workers,
        seconds,
        floor,
        peaks["total_mb"],
        peaks["by_role_mb"],
        peaks["by_stage_mb"],
        peaks["cpu_by_role_s"],
        run.get("timings", {}),
        run.get("statuses", {}),
        published,
    )
    if published and revisions_served is not None:
        _check_release(output / entry["path"], measured, revisions_served[:revisions], log)
    print(
        f"  {revisions} revisions, {workers} workers: {seconds:.1f} s "
        f"({measured.per_second:.1f}/s), peak {measured.peak_rss_mb:.0f} MB, "
        f"stages {measured.timings}, CPU s {_rounded(measured.cpu_by_role_s)}, "
        f"floor {floor:.2f} s" + ("" if published else ", nothing published"),
        file=sys.stderr,
    )
    return measured


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 1) for k, v in values.items()}


def _check_release(folder: Path, measured: Measured, served: list, log: Path) -> None:
    """The release must show the work the synthetic edits cause: else the benchmark times
    something else. Statuses must match exactly; events belong to claim edits (and the first
    revision), which a warning reports otherwise (the timing still stands)."""
    expected = dict(collections.Counter(r.status for r in served))
    if measured.statuses != expected:
        raise SystemExit(
            f"The release of {len(served)} revisions has statuses {measured.statuses}, but the "
            f"synthetic history's edits must give {expected}: the benchmark would time the "
            f"wrong work. Log: {log}"
        )
    events = pq.read_table(folder / "claim_events.parquet", columns=["revid", "table"])
    revids, tables = events["revid"].to_pylist(), events["table"].to_pylist()
    claim_event_revids = [r for r, t in zip(revids, tables, strict=True) if t != "references"]
    with_events = set(claim_event_revids)
    claim_edits = {r.revid for r in served if r.kind in (*CLAIM_KINDS, "base")}
    quiet = {r.revid for r in served if r.revid not in claim_edits}
    later = [r for r in claim_event_revids if r != served[0].revid]
    measured.noise_claim_events_per_revision = (
        sum(r in quiet for r in claim_event_revids) / len(quiet) if quiet else None
    )
    measured.claim_events_per_revision = len(later) / max(len(served) - 1, 1)
    measured.reference_events = tables.count("references")
    print(
        f"  noise: {measured.noise_claim_events_per_revision} claim events per revision over "
        f"{len(quiet)} revisions that change no claim; {measured.claim_events_per_revision:.3f} "
        f"per revision over all; {measured.reference_events} reference events",
        file=sys.stderr,
    )
    measured.events_elsewhere = len(with_events - claim_edits)
    measured.claim_edits_without_events = len(claim_edits - with_events)
    if measured.events_elsewhere or measured.claim_edits_without_events:
        print(
            f"  warning: {measured.events_elsewhere} revisions that edit no claim have events, "
            f"{measured.claim_edits_without_events} claim edits have none",
            file=sys.stderr,
        )


# --- the benchmark ----------------------------------------------------------------------


def measure_history(
    sizes: list[int],
    speedup_size: int | None,
    scratch: Path,
    env: dict[str, str],
    seed: int = SEED,
    warm_up: bool = True,
    cache_dir: Path | None = None,
) -> dict:
    """Every figure of the module docstring, as a dict for the results file."""
    largest = max([*sizes, speedup_size or 0])
    history = synthetic_history(largest, seed)
    kinds = collections.Counter(r.kind for r in history)

    env = {**env, "MEKDATA_WIKI_BUDGET": FETCH_BUDGET_S, "MEKDATA_CONTACT": "bench@127.0.0.1"}
    emulator = MediaWikiEmulator()
    serve_history(emulator, TITLE, history)
    emulator.start()
    floors: list[float] = []
    runs: dict[str, Measured] = {}
    try:
        print(f"Filling the fetch cache with {largest} revisions (untimed)…", file=sys.stderr)
        filled = scratch / "filled"
        if cache_dir is not None:
            filled = cache_dir
            _claim_cache_dir(cache_dir, history)
        cold = _fill(emulator.api_url, filled, largest, env)
        if warm_up:  # a throwaway run migrates a fresh Prefect home, once
            measure_run(
                emulator.api_url, warm_output(filled, scratch / "warm-up"), 2, 1, env, [], None
            )
        for size in sizes:
            output = warm_output(filled, scratch / f"size-{size}")
            runs[f"e2e_{size}"] = measure_run(
                emulator.api_url, output, size, WORKERS, env, floors, history
            )
            if size == speedup_size:
                runs[f"workers_1_{size}"] = measure_run(
                    emulator.api_url,
                    warm_output(filled, scratch / f"one-worker-{size}"),
                    size,
                    1,
                    env,
                    floors,
                    history,
                )
        if speedup_size and speedup_size not in sizes:
            for workers in (1, WORKERS):
                runs[f"workers_{workers}_{speedup_size}"] = measure_run(
                    emulator.api_url,
                    warm_output(filled, scratch / f"workers-{workers}-{speedup_size}"),
                    speedup_size,
                    workers,
                    env,
                    floors,
                    history,
                )
        biggest = max(sizes)
        runs["rerun"] = measure_run(
            emulator.api_url,
            scratch / f"size-{biggest}",
            biggest,
            WORKERS,
            env,
            floors,
            history,
        )
    finally:
        emulator.stop()
    floor = statistics.median(floors)
    return summarise(runs, cold, floor, floors, sizes, speedup_size, seed, kinds)


def summarise(runs, cold, floor, floors, sizes, speedup_size, seed, kinds) -> dict:
    figures: dict = {
        "import_floor": floor,
        "floor_samples": floors,
        "seed": seed,
        "mix": dict(kinds),
        "cold_fetch": {
            "revisions": cold["fetched"],
            "already_cached": cold["cached"],
            "seconds": cold["fetch_seconds"],
            "per_second": cold["fetched"] / cold["fetch_seconds"] if cold["fetched"] else None,
            "list_seconds": cold["list_seconds"],
        },
        "runs": {
            name: asdict(m)
            | {
                "per_second": m.per_second,
                "extract_per_second": m.extract_per_second,
                "x_floor": m.seconds / floor,
            }
            for name, m in runs.items()
        },
    }
    verdicts: dict[str, str] = {}
    if speedup_size:
        one = runs[f"workers_1_{speedup_size}"].extract_per_second
        two = runs.get(f"e2e_{speedup_size}") or runs[f"workers_2_{speedup_size}"]
        speedup = two.extract_per_second / one
        figures["speedup_2_workers"] = speedup
        verdicts["speedup_2_workers"] = "met" if speedup >= 1.7 else "NOT met"
    if 10_000 in sizes:
        seconds = runs["e2e_10000"].seconds
        verdicts["seconds_10000"] = "met" if seconds <= 600 else "NOT met"
    peaks = {size: runs[f"e2e_{size}"].peak_rss_mb for size in sizes}
    figures["peak_rss_mb"] = peaks
    by_stage = {
        stage: {size: runs[f"e2e_{size}"].peak_by_stage_mb.get(stage, 0.0) for size in sizes}
        for stage in ("extract", "check_publish")
    }
    figures["peak_by_stage_mb"] = by_stage
    figures["memory_growth_kb_per_revision"] = memory_slopes(peaks, by_stage)
    steady = [size for size in sizes if size >= STEADY_FROM]
    slopes = memory_slopes(
        {n: peaks[n] for n in steady}, {k: {n: v[n] for n in steady} for k, v in by_stage.items()}
    )
    figures["steady_from"] = STEADY_FROM
    figures["memory_growth_kb_per_revision_steady"] = slopes
    verdicts["peak_memory"] = memory_verdict(peaks, slopes)
    rerun = runs["rerun"]
    ratio = rerun.seconds / floor
    figures["unchanged_rerun_x_floor"] = ratio
    verdicts["unchanged_rerun"] = (
        "NOT met: the re-run published a new version instead of answering unchanged"
        if rerun.published
        else "met"
        if ratio <= 1.5
        else "NOT met"
    )
    figures["verdicts"] = verdicts
    return figures


def memory_slopes(
    peaks: dict[int, float], by_stage: dict[str, dict[int, float]]
) -> dict[str, float | None]:
    """kB per revision, fitted, for the whole run and each stage."""
    return {"whole run": growth_kb_per_revision(peaks)} | {
        stage: growth_kb_per_revision(stage_peaks) for stage, stage_peaks in by_stage.items()
    }


def growth_kb_per_revision(peaks: dict[int, float]) -> float | None:
    """The least-squares slope of peak MB over the revision count, in kB per revision."""
    if len(peaks) < 2:
        return None
    sizes, values = list(peaks), list(peaks.values())
    mean_size, mean_value = statistics.fmean(sizes), statistics.fmean(values)
    spread = sum((n - mean_size) ** 2 for n in sizes)
    slope = sum((n - mean_size) * (v - mean_value) for n, v in zip(sizes, values, strict=True))
    return slope / spread * 1000


def memory_verdict(peaks: dict[int, float], slopes: dict[str, float | None]) -> str:
    largest = max(peaks.values())
    within = largest <= MEMORY_BOUND_MB
    if slopes["whole run"] is None:
        return ("met" if within else "NOT met") + (
            f" (growth not measured: it needs two sizes from {STEADY_FROM} up)"
        )
    flat = all(slope <= FLAT_KB_PER_REVISION for slope in slopes.values() if slope is not None)
    return ("met" if within and flat else "NOT met") + (
        f" (peak {largest:.0f} MB; growth in kB per revision: "
        + ", ".join(f"{k} {v:.1f}" for k, v in slopes.items() if v is not None)
        + f", fitted from {STEADY_FROM} revisions up; flat means ≤ {FLAT_KB_PER_REVISION} each)"
    )


def render(figures: dict, quick: bool) -> str:
    floor = figures["import_floor"]
    runs = figures["runs"]
    cold = figures["cold_fetch"]
    lines = [
        f"mekdata history benchmark ({'quick' if quick else 'one run each'}; "
        f"{platform.machine()}, {os.cpu_count()} cores; import floor {floor:.2f} s)",
        "",
        f"Cold fetch (emulator, untimed fill): {cold['revisions']} revisions in "
        f"{cold['seconds']:.1f} s"
        + (f", {cold['per_second']:.1f}/s" if cold["per_second"] else "")
        + f" ({cold['already_cached']} were cached already).",
        "",
        "| run | revisions | workers | seconds | × floor | revisions/s | extract/s | "
        "peak MB (driver / dask / server) | peak MB extracting / after | stages (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        roles = run["peak_by_role_mb"]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in run["timings"].items())
        extract = run["extract_per_second"]
        lines.append(
            f"| {name}{'' if run['published'] else ' (nothing published)'} | "
            f"{run['revisions']} | {run['workers']} | {run['seconds']:.1f} | "
            f"{run['x_floor']:.2f} | {run['per_second']:.1f} | "
            f"{'' if extract is None else f'{extract:.1f}'} | "
            f"{run['peak_rss_mb']:.0f} ({roles.get('driver', 0):.0f} / "
            f"{roles.get('dask', 0):.0f} / {roles.get('prefect server', 0):.0f}) | "
            f"{_stage_cell(run.get('peak_by_stage_mb', {}))} | {stages} |"
        )
    noisy = {
        name: run["noise_claim_events_per_revision"]
        for name, run in runs.items()
        if run.get("noise_claim_events_per_revision") is not None
    }
    if noisy:
        lines.append(
            "\nNoise (claim events per revision among the revisions that change no claim; 0 "
            "means renumbering and reference maintenance make no event): "
            + ", ".join(f"{name} {value:.3f}" for name, value in noisy.items())
        )
    lines += ["", "| target | verdict |", "|---|---|"]
    for name, verdict in figures["verdicts"].items():
        lines.append(f"| {TARGETS[name]} | {verdict} |")
    every_size = figures["memory_growth_kb_per_revision"]
    if every_size["whole run"] is not None:
        lines.append(
            "\nMemory growth fitted over every size, warm-up included (kB per revision): "
            + ", ".join(f"{k} {v:.1f}" for k, v in every_size.items() if v is not None)
        )
    if "speedup_2_workers" in figures:
        lines.append(
            f"\nSpeed-up of extraction, 2 workers over 1: {figures['speedup_2_workers']:.2f}×"
        )
    return "\n".join(lines)


def _stage_cell(by_stage: dict[str, float]) -> str:
    if not by_stage:
        return ""
    return f"{by_stage['extract']:.0f} / {by_stage['check_publish']:.0f}"


def write_results(figures: dict, quick: bool) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "history.json"
    path.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}",
                "quick": quick,
                **figures,
            },
            indent=2,
        )
        + "\n"
    )
    return path


def run_history_benchmark(
    sizes: list[int],
    speedup_size: int | None,
    quick: bool,
    seed: int = SEED,
    env: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> int:
    """Measure, print and write the results; ``env`` may bring a migrated Prefect home."""
    scratch = Path(tempfile.mkdtemp(prefix="mekdata-history-bench-"))
    try:
        figures = measure_history(
            sizes,
            speedup_size,
            scratch,
            env or base_env(scratch / "prefect-home"),
            seed,
            warm_up=env is None and not quick,
            cache_dir=cache_dir,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(render(figures, quick))
    print(f"\nResults: {write_results(figures, quick)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE} revisions (CI)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--speedup-size",
        type=int,
        default=SPEEDUP_SIZE,
        help="revisions for the 1- vs 2-worker extraction figure (0: skip it)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="keep the filled fetch cache here and reuse it in later sessions (same seed), "
        "instead of filling a temporary one",
    )
    args = parser.parse_args(argv)
    sizes = [QUICK_SIZE] if args.quick else args.sizes
    speedup = None if args.quick else args.speedup_size or None
    return run_history_benchmark(sizes, speedup, args.quick, args.seed, cache_dir=args.cache_dir)


if __name__ == "__main__":
    sys.exit(main())
