"""Benchmark mekdata against the import floor measured in the same run.

    .venv/bin/python bench/run.py            # full: several runs each, medians
    .venv/bin/python bench/run.py --quick    # one run each, 1× and 10× scaling, and a
                                             # 30-revision `mekdata history` run (CI)
    .venv/bin/python bench/run.py --history  # `mekdata history` on 1,000 to 30,000 revisions

Reports medians in seconds and as ratios to the import floor (the time a fresh Python takes to
import prefect, great_expectations, pandas and pyarrow), and writes bench/results/latest.json;
the history figures (bench/history.py) go to bench/results/history.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Importing common (history imports it first) puts the repository and tests/ on sys.path,
# which the imports after it need.
import history
from common import BIN, FLOOR_IMPORTS, REPO_ROOT, RESULTS, SETTLE_S, base_env, timed
from mediawiki_emulator import MediaWikiEmulator
from prefect_server import PrefectServer
from wiki_html import article_html

from transforms import (
    designations,
    electoral_history,
    extract_all,
    membership_estimates,
    references,
)
from transforms import findings as findings_module
from transforms.document import Document

ARTICLE = REPO_ROOT / "sources" / "peoples-mujahedin-of-iran.txt"
EXTRACTION_REPEATS = 20  # cheap (about a second), and five were too few for a stable median
TARGETS = {  # ratio to the import floor, from the issue
    "full_run_new_output": 1.7,  # issue 31: room for what a release does now
    "unchanged_rerun": 0.1,  # issue 31
    "full_run_running_server": 1.3,
    "full_run_emulator": 2.0,  # issue 16: the live source, against the emulated wiki
}
WIKI_TITLE = "People's Mojahedin Organization of Iran"
WIKI_OLD_TITLE = "People's Mujahedin of Iran"  # a redirect, as on Wikipedia


def median_of(runs: int, measure) -> tuple[float, list[float]]:
    samples = [measure(index) for index in range(runs)]
    return statistics.median(samples), samples


def measure_extraction(scales: list[int], repeats: int) -> dict[str, float]:
    """Each table's extractor on one parsed document (as extract_all runs them), the document
    model itself, and extract_all end to end on the article with its body 1×, 10× and 100×."""
    text = ARTICLE.read_text(encoding="utf-8")
    extract_all(text)  # warm imports, regex caches and pycountry's database

    def median_ms(action) -> float:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            action()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    figures = {"extract_document": median_ms(lambda: list(Document.from_text(text).sentences()))}
    document = Document.from_text(text)
    list(document.sentences())
    extractors = {
        "designations": designations.extract_designations_with_findings,
        "electoral_history": electoral_history.extract_electoral_history_with_findings,
        "membership_estimates": membership_estimates.extract_membership_estimates_with_findings,
        "references": references.extract_references,
        "notes": references.extract_notes,
        "findings": findings_module.extract_findings,
    }
    for name, extractor in extractors.items():
        figures[f"extract_{name}"] = median_ms(lambda e=extractor: e(document))
    for scale in scales:
        scaled = scaled_article(text, scale)
        figures[f"extract_all_x{scale}"] = (
            median_ms(lambda s=scaled: extract_all(s))
            if scale == 1
            else _once(lambda s=scaled: extract_all(s))
        )
    return figures


def start_emulator():
    """The MediaWiki API emulated on 127.0.0.1 (tests/mediawiki_emulator.py) with the bundled
    article as the latest revision of its page, reached through a redirect."""
    emulator = MediaWikiEmulator()
    emulator.add_revision(WIKI_TITLE, article_html(ARTICLE.read_text(encoding="utf-8")))
    emulator.add_redirect(WIKI_OLD_TITLE, WIKI_TITLE)
    return emulator.start()


def scaled_article(text: str, scale: int) -> str:
    """The article with its body (prose, infobox, tables: everything before the reference
    lists) repeated ``scale`` times, then its lists once. Repeating the whole text would not
    do: the body ends at the first list, so the copies would only lengthen the lists."""
    lines = text.split("\n")
    body_end = Document.from_text(text).body_end
    return "\n".join(lines[:body_end] * scale + lines[body_end:])


def _once(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each (CI smoke test)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--history",
        action="store_true",
        help="only the history benchmark at full size (bench/history.py; about 40 minutes)",
    )
    args = parser.parse_args()
    if args.history:
        return history.main([])
    runs = 1 if args.quick else args.runs
    scales = [1, 10] if args.quick else [1, 10, 100]
    mekdata = str(BIN / "mekdata")
    scratch = Path(tempfile.mkdtemp(prefix="mekdata-bench-"))
    home = scratch / "prefect-home"
    env = base_env(home)
    figures: dict[str, float] = {}
    samples: dict[str, list[float]] = {}
    floor_samples: list[float] = []

    def floor_then(command: list[str], run_env: dict[str, str]) -> float:
        """Time the import floor, then the command: the floor is sampled all through the
        run, so a machine that speeds up or slows down moves both alike."""
        time.sleep(SETTLE_S)  # the previous run's temporary server may still be stopping
        floor_samples.append(timed([sys.executable, "-c", FLOOR_IMPORTS], env))
        return timed(command, run_env)

    try:
        figures["first_run_fresh_prefect_home"] = floor_then(
            [mekdata, "run", "--output", str(scratch / "first")], env
        )
        figures["full_run_new_output"], samples["full_run_new_output"] = median_of(
            runs, lambda i: floor_then([mekdata, "run", "--output", str(scratch / f"new-{i}")], env)
        )
        figures["unchanged_rerun"], samples["unchanged_rerun"] = median_of(
            runs, lambda i: floor_then([mekdata, "run", "--output", str(scratch / "new-0")], env)
        )

        wiki = start_emulator()
        try:
            wiki_run = [
                mekdata,
                "run",
                "--source",
                f"wikipedia:{WIKI_OLD_TITLE}",
                "--wiki-api",
                wiki.api_url,
                "--output",
            ]
            figures["full_run_emulator"], samples["full_run_emulator"] = median_of(
                runs, lambda i: floor_then([*wiki_run, str(scratch / f"wiki-{i}")], env)
            )
            figures["unchanged_rerun_emulator"], samples["unchanged_rerun_emulator"] = median_of(
                runs, lambda i: floor_then([*wiki_run, str(scratch / "wiki-0")], env)
            )
        finally:
            wiki.stop()

        server = PrefectServer(scratch / "server-home").start()
        try:
            server_env = {**env, "PREFECT_API_URL": server.api_url}
            timed([mekdata, "run", "--output", str(scratch / "warm-server")], server_env)
            figures["full_run_running_server"], samples["full_run_running_server"] = median_of(
                runs,
                lambda i: floor_then(
                    [mekdata, "run", "--output", str(scratch / f"srv-{i}")], server_env
                ),
            )
        finally:
            server.stop()
        if args.quick:  # the history harness at a tiny size, with the migrated Prefect home
            history.run_history_benchmark([history.QUICK_SIZE], None, True, env=env)
        samples["import_floor"] = floor_samples
        figures = {"import_floor": statistics.median(floor_samples), **figures}
        figures.update(measure_extraction(scales, EXTRACTION_REPEATS))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = render(figures, samples, args.quick)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}",
                "quick": args.quick,
                "seconds": figures,
                "samples": samples,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


def render(figures: dict[str, float], samples: dict[str, list[float]], quick: bool) -> str:
    floor = figures["import_floor"]
    lines = [
        f"mekdata benchmark ({'quick' if quick else 'medians'}; "
        f"{platform.machine()}, {os.cpu_count()} cores)",
        "",
        "| measure | seconds | × import floor | range of runs (×) | target |",
        "|---|---|---|---|---|",
    ]
    for name, seconds in figures.items():
        if name.startswith("extract"):
            continue
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"≤ {target}× {'met' if seconds / floor <= target else 'NOT met'}"
        runs = samples.get(name, [seconds])
        spread = f"{min(runs) / floor:.2f}–{max(runs) / floor:.2f}"
        lines.append(f"| {name} | {seconds:.2f} | {seconds / floor:.2f} | {spread} | {verdict} |")
    lines += ["", "| extraction | milliseconds |", "|---|---|"]
    for name, seconds in figures.items():
        if name.startswith("extract"):
            lines.append(f"| {name.removeprefix('extract_')} | {seconds * 1000:.1f} |")
    total = sum(
        v
        for k, v in figures.items()
        if k.startswith("extract_") and not k.startswith("extract_all")
    )
    lines.append(f"| document + all tables (target < 50) | {total * 1000:.1f} |")
    base = figures.get("extract_all_x1")
    for name, seconds in figures.items():
        if name.startswith("extract_all_x") and base:
            scale = int(name.removeprefix("extract_all_x"))
            lines.append(
                f"| {name.removeprefix('extract_')}: per copy of the body | "
                f"{seconds / scale * 1000:.1f} (×{seconds / base:.1f} total) |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
