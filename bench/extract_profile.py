"""Per-revision extraction of the history flow, in process: one worker's loop, no Dask.

    # once: N synthetic revisions rendered to HTML into a fetch cache (untimed)
    .venv/bin/python bench/extract_profile.py prepare /tmp/xp --count 200
    # time extract_batch over them (batches of the flow's size), then the driver's serial part
    PYTHONPATH=/work/main .venv/bin/python bench/extract_profile.py run /tmp/xp
    PYTHONPATH=$PWD .venv/bin/python bench/extract_profile.py run /tmp/xp --profile

Which code runs is whatever ``PYTHONPATH`` names (this file adds only ``tests/`` to the path,
for the generator), so the same cache can be timed against two checkouts: alternate them and
compare medians, as the machine is shared. ``run`` prints the seconds (wall, CPU, in garbage
collection) of the worker's part (``extract_batch``: render, triage, extract, key the claims;
apart, pickling each batch's outcomes as Dask does) and of the driver's (unpickling them,
``settle``, ``TimelineBuilder.add``; its CPU seconds cover all three), the size of the
pickled outcomes, the process's peak RSS (the worker's caches included), and with ``--check``
a digest of every outcome, so two checkouts can be shown to give the same rows.
``--profile`` prints cProfile's top functions as well.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import pickle
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def prepare(folder: Path, count: int, seed: int) -> None:
    from synthetic_history import synthetic_history
    from wiki_html import article_html

    from storage.revision_cache import RevisionCache

    cache = RevisionCache(folder / "cache")
    listing = []
    for revision in synthetic_history(count, seed):
        if revision.identical_to is None:
            cache.put(revision.revid, article_html(revision.text()))
        listing.append(
            {
                "revid": revision.revid,
                "parentid": revision.parentid,
                "timestamp": revision.api_timestamp,
                "sha1": revision.sha1,
                "size": revision.size,
            }
        )
    (folder / "listing.json").write_text(json.dumps(listing))


def _digest(outcomes, steps) -> str:
    """Every outcome's status, hashes, claims and tables, and every builder step."""
    digest = hashlib.sha1()
    for outcome in outcomes:
        fields = (
            outcome.meta.revid,
            outcome.status,
            outcome.reason,
            outcome.detail,
            outcome.sections_sha1,
            outcome.references_sha1,
            outcome.keys_sha1,
            outcome.identical_to,
            outcome.reread,
        )
        digest.update(repr(fields).encode())
        if outcome.claims is not None:
            digest.update(repr(sorted(outcome.claims.rows.items())).encode())
            digest.update(repr(outcome.claims.notes).encode())
        for name, frame in sorted((outcome.tables or {}).items()):
            digest.update(name.encode())
            digest.update(repr(list(frame.dtypes.astype(str))).encode())
            digest.update(frame.to_csv(index=False).encode())
    for step in steps:
        digest.update(repr((step.revision, step.events, sorted(step.closed.items()))).encode())
    return digest.hexdigest()


def _time_collections() -> list[float]:
    """Seconds spent in each garbage collection from now on (appended as they end)."""
    spent: list[float] = []
    began = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent.append(time.perf_counter() - began[0])

    gc.callbacks.append(callback)
    return spent


def run(folder: Path, batch_size: int, profile: bool, check: bool) -> dict:
    from flows.history_flow import batch_items, batches, extract_batch, prepare_worker, settle
    from ingestion.wikipedia import Revision
    from transforms.history import HistoryConfig, TimelineBuilder, identical_targets

    listing = json.loads((folder / "listing.json").read_text())
    page = {"api_url": "", "title": "", "requested_title": "", "redirected_from": None, "pageid": 1}
    revisions = [Revision(**page, **r) for r in listing]
    repeats = identical_targets((r.revid, r.sha1) for r in revisions)
    in_run = {r.revid for r in revisions}
    config = HistoryConfig()
    items = list(batch_items(revisions, None, repeats, in_run))
    cache = str(folder / "cache")
    prepare_worker()  # as the flow has each worker do before its first batch

    profiler = cProfile.Profile() if profile else None
    gc_seconds = _time_collections()
    cpu = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    results = [extract_batch(cache, b, config) for b in batches(items, batch_size)]
    worker = time.perf_counter() - started
    worker_cpu = time.process_time() - cpu
    worker_gc = sum(gc_seconds)
    # What Dask does with each batch's outcomes on their way to the driver: the dumps is the
    # worker's, the loads the driver's, serial.
    started = time.perf_counter()
    pickled = [pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL) for r in results]
    pickle_seconds = time.perf_counter() - started
    driver_cpu = time.process_time()
    started = time.perf_counter()
    outcomes = [o for p in pickled for o in pickle.loads(p)]
    unpickle = time.perf_counter() - started
    started = time.perf_counter()
    builder = TimelineBuilder()
    builder.expect_identical({x: y for x, y in repeats.items() if y in in_run})
    steps, base = [], None
    for outcome in outcomes:
        outcome = settle(outcome, base)
        steps.append(builder.add(outcome))
        base = builder.base_sections_sha1
    driver = time.perf_counter() - started
    driver_cpu = time.process_time() - driver_cpu
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(35)
        print(out.getvalue())
    statuses: dict[str, int] = {}
    for step in steps:
        statuses[step.revision["status"]] = statuses.get(step.revision["status"], 0) + 1
    result = {
        "worker_s": round(worker, 3),
        "worker_cpu_s": round(worker_cpu, 3),
        "worker_gc_s": round(worker_gc, 3),
        "worker_pickle_s": round(pickle_seconds, 3),
        "driver_s": round(driver, 3),
        "driver_unpickle_s": round(unpickle, 3),
        "driver_cpu_s": round(driver_cpu, 3),
        "result_mb": round(sum(map(len, pickled)) / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "statuses": statuses,
    }
    if check:
        result["digest"] = _digest(outcomes, steps)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("prepare")
    made.add_argument("folder", type=Path)
    made.add_argument("--count", type=int, default=200)
    made.add_argument("--seed", type=int, default=17)
    timed = commands.add_parser("run")
    timed.add_argument("folder", type=Path)
    timed.add_argument("--batch-size", type=int, default=50)
    timed.add_argument("--profile", action="store_true")
    timed.add_argument("--check", action="store_true", help="print a digest of every outcome")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        args.folder.mkdir(parents=True, exist_ok=True)
        prepare(args.folder, args.count, args.seed)
        return 0
    print(json.dumps(run(args.folder, args.batch_size, args.profile, args.check)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
