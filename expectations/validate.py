"""Run the expectation suites with Great Expectations; decide whether a release may publish."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import logging
import os
import pickle
import shutil
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.chunks import Chunked, chunk_kind, merge_results
from expectations.suites import (
    BLOCKING,
    GATES,
    SOURCE_QUALITY,
    Suite,
    load_semantic,
    load_suites,
)
from mekdata.errors import ValidationFailed
from transforms.quality import Finding, with_findings
from transforms.schema import TABLES

SAMPLE_VALUES = 5
# Offending rows a source-quality failure names (GX keeps at most 20 per expectation).
SAMPLE_ROWS = 10
DOCS_SITE = "release"
DATASOURCE = "mekdata"
# Rendering the Data Docs costs about what validating 50 expectations does (0.7 s against
# 13.7 ms each, measured 2026-12-07): the side that renders them validates that much less.
DATA_DOCS_WEIGHT = 50
# Each list of cited reference numbers and the list of the same references by ref_key.
CITATION_COLUMNS = {
    "citations": "citation_keys",
    "enrichment_citations": "enrichment_citation_keys",
}
# What a citation's key must be when its number is not in the reference list (a dangling one).
MISSING_KEY = "missing:{}"
# What the semantic suites run on: a whole frame, or one given in row chunks.
Frame = pd.DataFrame | Chunked


def citation_links(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every (table, source_line, ref_number) that a row of any table cites, with the key the
    row gives that citation (``ref_key``, at the same place in its key list; null when the key
    list is shorter) and the key of that number in the reference list (``numbered_key``)."""
    references = tables.get("references")
    by_number = (
        dict(zip(references["ref_number"], references["ref_key"], strict=True))
        if references is not None and "ref_key" in references
        else {}
    )
    records = []
    for name, frame in tables.items():
        for column, key_column in CITATION_COLUMNS.items():
            if column not in frame.columns:
                continue
            keys = frame[key_column] if key_column in frame.columns else [[]] * len(frame)
            for line, numbers, row_keys in zip(
                frame["source_line"], frame[column], keys, strict=True
            ):
                row_keys = list(row_keys)
                for index, number in enumerate(numbers):
                    records.append(
                        {
                            "table": name,
                            "source_line": int(line),
                            "ref_number": int(number),
                            "ref_key": row_keys[index] if index < len(row_keys) else None,
                            "numbered_key": by_number.get(
                                int(number), MISSING_KEY.format(int(number))
                            ),
                            "key_count_matches": len(row_keys) == len(numbers),
                        }
                    )
    return pd.DataFrame(
        {
            "table": pd.array([r["table"] for r in records], dtype="str"),
            "source_line": pd.array([r["source_line"] for r in records], dtype="Int32"),
            "ref_number": pd.array([r["ref_number"] for r in records], dtype="Int32"),
            "ref_key": pd.array([r["ref_key"] for r in records], dtype="str"),
            "numbered_key": pd.array([r["numbered_key"] for r in records], dtype="str"),
            "key_count_matches": pd.array(
                [r["key_count_matches"] for r in records], dtype="boolean"
            ),
        }
    )


def expectation_parameters(tables: dict[str, pd.DataFrame], now: dt.datetime) -> dict[str, Any]:
    references = sorted(int(n) for n in tables["references"]["ref_number"])
    findings = tables["findings"]
    dangling = findings.loc[findings["kind"] == "dangling_citation", "ref_number"].dropna()
    return {
        "today": now.strftime("%Y-%m-%dT00:00:00"),
        "current_year": now.year,
        "reference_numbers": references,
        "resolvable_reference_numbers": sorted(set(references) | {int(n) for n in dangling}),
    }


class Validator:
    """A Great Expectations context holding every suite, ready before the data exists.

    Building it costs little; importing GX costs seconds, which is why a worker process
    (expectations/validation_worker.py) builds one while the flow reads and extracts the source.
    Validates once: its results store feeds the Data Docs of that one validation.
    """

    def __init__(self, suites: dict[str, Suite] | None = None) -> None:
        """A context for ``suites``: a release's (expectations/suites.py: load_suites) unless
        given others, such as a history release's."""
        # Great Expectations costs 4.7 s at import: only where a suite runs (the validation worker,
        # the history checks); the release flow's driver imports this module and never loads it.
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from tqdm import tqdm

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        # GX creates (disabled) tqdm bars; tqdm's monitor thread would only stop us forking.
        tqdm.monitor_interval = 0
        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.semantic = load_semantic()
        self.suites = load_suites() if suites is None else suites
        self.row_keys: dict[str, list[str]] = {}
        self.used = False
        self.split_used = False
        datasource = self.context.data_sources.add_pandas(DATASOURCE)
        self.definitions = {}
        for name, (_, _, expectations) in self.suites.items():
            suite = gx.ExpectationSuite(name=name, expectations=expectations)
            if len(suite.expectations) != len(expectations):
                raise ValidationFailed(
                    f"Suite {name!r}: {len(expectations) - len(suite.expectations)} "
                    f"expectation(s) were not understood by Great Expectations "
                    f"{gx.__version__}; fix expectations/ before publishing."
                )
            batch_definition = datasource.add_dataframe_asset(
                name=name
            ).add_batch_definition_whole_dataframe("all_rows")
            self.definitions[name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=name, data=batch_definition, suite=self.context.suites.add(suite)
                )
            )

    def validate(
        self,
        tables: dict[str, pd.DataFrame],
        now: dt.datetime | None = None,
        docs_dir: Path | None = None,
        split: bool = False,
    ) -> dict[str, Any]:
        """Run every suite; raise ValidationFailed when a blocking expectation fails or any
        expectation cannot be evaluated (after writing Data Docs). Source-quality failures
        are reported, suite by suite and in ``report["gates"]``, and do not raise.

        ``split`` runs half of the suites in a forked copy of this process (a second core at
        the cost of a fork, not of a second GX import); only for single-threaded processes.
        """
        now = now or dt.datetime.now(dt.UTC)
        frames = self._frames(tables)
        report = self.run_suites(
            frames,
            expectation_parameters(tables, now),
            now,
            docs_dir,
            split,
            {name: self._release_row_keys(name, frames[name]) for name in frames},
        )
        if not report["success"]:
            raise ValidationFailed(failure_message(report, _missing_sections(tables)), report)
        return report

    def run_suites(
        self,
        frames: dict[str, Frame],
        parameters: dict[str, Any],
        now: dt.datetime | None = None,
        docs_dir: Path | None = None,
        split: bool = False,
        row_keys: dict[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        """Run every suite on its frame (suite name -> frame, or a Chunked one for a long
        table: expectations/chunks.py) and return the report, whatever the verdict
        (``report["success"]``); with ``docs_dir``, write the Data Docs there.
        ``row_keys`` names, per suite, the columns that identify an offending row in the
        report (GX lists bare positions otherwise); ``split`` as in ``validate``."""
        if self.used:
            raise RuntimeError("A Validator validates once; build a new one.")
        self.used = True
        now = now or dt.datetime.now(dt.UTC)
        self.row_keys = {name: keys for name, keys in (row_keys or {}).items() if keys}
        names = list(self.suites)
        self.split_used = split and hasattr(os, "fork") and threading.active_count() == 1
        if self.split_used:
            results = self._run_split(names, frames, parameters, docs_dir is not None)
        else:
            results = self._run(names, frames, parameters)
        suites = {
            name: {
                "gate": self.suites[name].gate,
                "table": self.suites[name].frame,
                **_summarise(results[name]),
            }
            for name in names
        }
        gates = _gate_summaries(suites)
        report: dict[str, Any] = {
            "validated_at": now.isoformat(timespec="seconds"),
            "great_expectations_version": self.gx.__version__,
            # Whether the release may be published: no blocking failure, nothing unevaluated.
            "success": gates[BLOCKING]["success"],
            "gates": gates,
            "suites": suites,
        }
        if docs_dir is not None:
            self._build_data_docs(docs_dir)
        return report

    def _frames(self, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The frame each suite runs on: semantic suites see their derived columns too."""
        sources = dict(tables)
        sources["citation_links"] = citation_links(tables)
        frames = {}
        for name, (frame_name, _, _) in self.suites.items():
            frame = sources[frame_name]
            if not name.endswith(".structural"):
                frame = _with_derived(frame, self.semantic["tables"].get(frame_name, {}))
            frames[name] = frame
        return frames

    def _run(self, names: list[str], frames: dict[str, Frame], parameters) -> dict:
        results = {}
        for name in names:
            frame = frames[name]
            with configurations_memoized():
                if isinstance(frame, Chunked):
                    results[name] = self._run_chunked(name, frame, parameters)
                else:
                    results[name] = self.definitions[name].run(
                        batch_parameters={"dataframe": frame},
                        expectation_parameters=parameters,
                        **self._result_format(name),
                    )
            self._release_batches()
        return results

    def _release_batches(self) -> None:
        """Drop the frames GX keeps after validating them. Its execution engine keeps the
        last batch of each suite, and the context outlives this object as GX's current
        project: a history's whole-table key columns (every revid, every seq) stayed in
        memory through the other suites, the report and the rest of the run."""
        manager = self.context.data_sources.get(DATASOURCE).get_execution_engine().batch_manager
        manager.batch_data_cache.clear()
        manager.reset_batch_cache()

    def _run_chunked(self, name: str, chunked: Chunked, parameters: dict[str, Any]) -> Any:
        """Suite ``name`` on a frame given in row chunks (expectations/chunks.py): the first
        chunk through the suite's validation definition (which stores the result the Data
        Docs show), the others through GX's validator with the row-wise expectations only,
        the table-wide ones on ``chunked.whole``; then the stored result is replaced by the
        merged one. Peak memory is that of one chunk, not of the table."""
        # Great Expectations only where a suite runs (see __init__).
        from great_expectations.core.result_format import DEFAULT_RESULT_FORMAT
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )
        from great_expectations.validator.v1_validator import Validator as BatchValidator
        from great_expectations.validator.validator import calc_validation_statistics

        definition = self.definitions[name]
        declared = {e.id: e for e in definition.suite.expectations}
        kinds = {key: chunk_kind(e.expectation_type) for key, e in declared.items()}
        row_suite = self._part_of(name, [k for k in declared if kinds[k] != "table_wide"])
        wide = [k for k in declared if kinds[k] == "table_wide"]
        result_format = self._result_format(name).get("result_format", DEFAULT_RESULT_FORMAT)

        def validate(frame: pd.DataFrame, suite: Any, chunk_parameters: dict) -> list:
            return (
                BatchValidator(definition.batch_definition, result_format, {"dataframe": frame})
                .validate_expectation_suite(suite, chunk_parameters)
                .results
            )

        merged: dict[str, Any] = {}

        def add(items: list, keep: Callable[[str], bool]) -> None:
            for item in items:
                key = item.expectation_config.id
                if key not in declared:
                    raise RuntimeError(f"GX returned a result for no expectation of {name}: {item}")
                if keep(key):
                    seen = merged.get(key)
                    kwargs = declared[key].configuration.kwargs
                    merged[key] = item if seen is None else merge_results([seen, item], kwargs)

        stored = None
        for chunk in chunked.chunks:
            chunk_parameters = {
                **parameters,
                **(chunked.parameters(chunk) if chunked.parameters else {}),
            }
            if stored is None:
                stored = definition.run(
                    batch_parameters={"dataframe": chunk},
                    expectation_parameters=chunk_parameters,
                    **self._result_format(name),
                )
                add(stored.results, lambda key: kinds[key] != "table_wide")
            else:
                add(validate(chunk, row_suite, chunk_parameters), lambda key: True)
        if stored is None:
            raise ValueError(f"{name}: a chunked frame must give at least one (maybe empty) chunk")
        if wide:
            if chunked.whole is None:
                raise ValueError(f"{name} has table-wide expectations but no whole frame for them")
            add(validate(chunked.whole, self._part_of(name, wide), parameters), lambda key: True)
        stored.results = [merged[key] for key in declared]
        statistics = calc_validation_statistics(stored.results)
        stored.success = statistics.success
        stored.statistics = {
            "evaluated_expectations": statistics.evaluated_expectations,
            "successful_expectations": statistics.successful_expectations,
            "unsuccessful_expectations": statistics.unsuccessful_expectations,
            "success_percent": statistics.success_percent,
        }
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
            run_id=stored.meta["run_id"],
            batch_identifier=stored.batch_id,
        )
        store = self.context.validation_results_store
        if not store.has_key(key):
            raise RuntimeError(f"GX stored the result of {name} under a key mekdata cannot find")
        store.set(key, stored)
        return stored

    def _part_of(self, name: str, keys: list[str]) -> Any:
        """A suite of some of ``name``'s expectations, under the same name and ids (GX links
        each result to its expectation by id)."""
        chosen = [e for e in self.definitions[name].suite.expectations if e.id in keys]
        part = self.gx.ExpectationSuite(name=name, expectations=[copy.copy(e) for e in chosen])
        for expectation, original in zip(part.expectations, chosen, strict=True):
            expectation.id = original.id
        return part

    def _result_format(self, name: str) -> dict[str, Any]:
        keys = self.row_keys.get(name)
        if not keys:
            return {}
        return {
            "result_format": {"result_format": "SUMMARY", "unexpected_index_column_names": keys}
        }

    def _release_row_keys(self, name: str, frame: pd.DataFrame) -> list[str]:
        """Source-quality failures become findings, which point at rows: GX names each
        offending row by its key and source line."""
        if self.suites[name].gate != SOURCE_QUALITY:
            return []
        table = TABLES.get(self.suites[name].frame)
        keys = list(table.primary_key) if table else []
        keys += [c for c in ("source_line", "ref_number") if c in frame.columns and c not in keys]
        return keys

    def _run_split(
        self, names: list[str], frames: dict[str, Frame], parameters, with_docs: bool
    ) -> dict:
        """Half of the work in a forked child, half here; the child sends back its results and
        the stored copies the Data Docs are rendered from. Halved by expectation count, with
        the Data Docs (rendered here, afterwards) counted on this side."""
        here, there = balanced_halves(
            {name: len(self.suites[name].expectations) for name in names},
            head_start=DATA_DOCS_WEIGHT if with_docs else 0,
        )
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read_end)
            status = 0
            try:
                results = self._run(there, frames, parameters)
                store = self.context.validation_results_store
                payload: tuple = ("ok", results, [(k, store.get(k)) for k in store.list_keys()])
            except BaseException:
                payload, status = ("error", traceback.format_exc()), 1
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(payload, pipe)
            os._exit(status)  # a forked copy must not run the parent's exit handlers
        os.close(write_end)
        try:
            results = self._run(here, frames, parameters)
        finally:
            with os.fdopen(read_end, "rb") as pipe:
                try:
                    payload = pickle.load(pipe)
                except EOFError:
                    payload = ("error", "the forked validation process exited without results")
            os.waitpid(child, 0)
        if payload[0] != "ok":
            raise RuntimeError(f"Validation of {', '.join(there)} failed: {payload[1]}")
        store = self.context.validation_results_store
        for key, value in payload[2]:
            store.set(key, value)
        return {**results, **payload[1]}

    def _build_data_docs(self, docs_dir: Path) -> None:
        self.context.add_data_docs_site(
            DOCS_SITE,
            {
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
            },
        )
        self.context.build_data_docs(site_names=[DOCS_SITE])
        _trim_data_docs(docs_dir)


@contextlib.contextmanager
def configurations_memoized() -> Iterator[None]:
    """Meanwhile, each expectation GX validates builds its configuration once.

    GX's ``Expectation.configuration`` is a property that rebuilds the configuration from the
    pydantic model (``.dict()``) on every read, and a validation reads it about 90 times per
    expectation (once per domain and success keyword, per metric): a third of the CPU of
    validating the article (measured 2026-12-07: 4.4-5.2 CPU s of validation, 3.6-4.2 with this),
    with the same results (tests/test_validation.py). Memoized only inside GX's
    ``graph_validate``, on the expectations it makes there from the configurations with the
    suite's parameters already filled in: those it never changes, while the suite's own
    configurations are filled in place before it (a cached one would keep one chunk's
    parameters for the next: tests/test_chunks.py). An entry is reused only for the same
    object with the same attribute values (by identity). Where GX is not shaped as measured,
    nothing is changed."""
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.validator.validator import Validator as GraphValidator

    built = Expectation.__dict__.get("configuration")
    graph_validate = GraphValidator.__dict__.get("graph_validate")
    if not isinstance(built, property) or built.fget is None or graph_validate is None:
        yield
        return
    build = built.fget

    def memoized_graph_validate(validator: Any, *args: Any, **kwargs: Any) -> Any:
        cache: dict[int, tuple[Any, tuple[int, ...], Any]] = {}

        def configuration(expectation: Any) -> Any:
            state = tuple(map(id, expectation.__dict__.values()))
            hit = cache.get(id(expectation))
            if hit is not None and hit[0] is expectation and hit[1] == state:
                return hit[2]
            made = build(expectation)
            cache[id(expectation)] = (expectation, state, made)  # holds it: ids stay unique
            return made

        Expectation.configuration = property(configuration, doc=built.__doc__)
        try:
            return graph_validate(validator, *args, **kwargs)
        finally:
            Expectation.configuration = built

    GraphValidator.graph_validate = memoized_graph_validate
    try:
        yield
    finally:
        GraphValidator.graph_validate = graph_validate


def balanced_halves(sizes: dict[str, int], head_start: int = 0) -> tuple[list[str], list[str]]:
    """Two groups of names with about equal total size (largest first, into the lighter
    group), each in the original order; the first group starts ``head_start`` heavy (work
    it does besides)."""
    groups: tuple[list[str], list[str]] = ([], [])
    totals = [head_start, 0]
    for name in sorted(sizes, key=lambda n: -sizes[n]):
        lighter = 0 if totals[0] <= totals[1] else 1
        groups[lighter].append(name)
        totals[lighter] += sizes[name]
    order = list(sizes)
    return sorted(groups[0], key=order.index), sorted(groups[1], key=order.index)


def validate_tables(
    tables: dict[str, pd.DataFrame],
    now: dt.datetime | None = None,
    docs_dir: Path | None = None,
) -> dict[str, Any]:
    """Validate every table and the cross-table links; raise ValidationFailed on any failure.

    Returns the validation report (JSON-ready). With ``docs_dir``, GX also renders its Data
    Docs (HTML) there.
    """
    return Validator().validate(tables, now, docs_dir)


def _trim_data_docs(docs_dir: Path) -> None:
    """GX ships web fonts and tutorial GIFs with every site (4 MB); pages render without
    them, so releases stay small. Styles and SVG logos are kept."""
    shutil.rmtree(docs_dir / "static" / "fonts", ignore_errors=True)
    for image in (docs_dir / "static" / "images").glob("*"):
        if image.suffix != ".svg":
            image.unlink()


def _with_derived(frame: pd.DataFrame, semantic_table: dict[str, Any]) -> pd.DataFrame:
    derived = semantic_table.get("derived_columns", {})
    if not derived:
        return frame
    frame = frame.copy()
    for column, expression in derived.items():
        frame[column] = frame.eval(expression).astype("float64")
    return frame


def _summarise(result) -> dict[str, Any]:
    failed = []
    for item in result.results:
        exception = item.exception_info or {}
        raised = exception.get("raised_exception") if isinstance(exception, dict) else False
        if item.success and not raised:
            continue
        config = item.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        details = item.result or {}
        failed.append(
            {
                "expectation": config.type,
                "column": kwargs.get("column")
                or kwargs.get("column_A")
                or kwargs.get("column_list"),
                "kwargs": kwargs,
                "unexpected_count": details.get("unexpected_count"),
                "sample": [_jsonable(v) for v in (details.get("partial_unexpected_list") or [])][
                    :SAMPLE_VALUES
                ],
                "observed_value": _jsonable(details.get("observed_value")),
                "exception": exception.get("exception_message") if raised else None,
                "reason": (config.meta or {}).get("reason"),
            }
        )
        rows = details.get("partial_unexpected_index_list")
        # Rows named by their columns: only source-quality suites ask GX for them (otherwise
        # GX lists bare positions in the frame, meaningless to a reader).
        if rows and isinstance(rows[0], dict):
            failed[-1]["rows"] = [
                {k: _jsonable(v) for k, v in row.items()} for row in rows[:SAMPLE_ROWS]
            ]
    statistics = result.statistics
    return {
        "success": not failed,
        "evaluated": statistics["evaluated_expectations"],
        "successful": statistics["successful_expectations"]
        - sum(1 for f in failed if f["exception"]),
        "failed": failed,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return str(value) if isinstance(value, dict) else [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _missing_sections(tables: dict[str, pd.DataFrame]) -> str:
    """What the extractors could not find in the source, said first: it explains the rest."""
    findings = tables["findings"]
    missing = findings.loc[findings["kind"] == "missing_section", "detail"].tolist()
    if not missing:
        return ""
    return "The source lacks what a table is read from: " + " ".join(missing)


def _gate_summaries(suites: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per gate: its suites, expectations evaluated, and failures as each gate counts them
    (an unevaluated source-quality expectation counts as blocking)."""
    failures = {
        BLOCKING: blocking_failures({"suites": suites}),
        SOURCE_QUALITY: source_quality_failures({"suites": suites}),
    }
    summaries = {}
    for gate in GATES:
        chosen = [s for s in suites.values() if s["gate"] == gate]
        summaries[gate] = {
            "success": not failures[gate],
            "suites": len(chosen),
            "evaluated": sum(s["evaluated"] for s in chosen),
            "failed": len(failures[gate]),
        }
    return summaries


def blocking_failures(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(suite, failure) for every failure that stops a release: any blocking expectation
    that failed, and any expectation of either gate that could not be evaluated (then our
    check is broken, and the source's quality is unknown)."""
    return [
        (name, failure)
        for name, suite in report["suites"].items()
        for failure in suite["failed"]
        if suite.get("gate", BLOCKING) == BLOCKING or failure["exception"]
    ]


def source_quality_failures(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(suite, failure) for every source-quality expectation that was evaluated and failed."""
    return [
        (name, failure)
        for name, suite in report["suites"].items()
        if suite.get("gate") == SOURCE_QUALITY
        for failure in suite["failed"]
        if not failure["exception"]
    ]


def _describe(name: str, failure: dict[str, Any]) -> str:
    what = failure["expectation"].removeprefix("expect_").replace("_", " ")
    column = failure["column"]
    return f"{name}.{column}: expected {what}" if column else f"{name}: expected {what}"


def source_quality_findings(report: dict[str, Any]) -> list[Finding]:
    """One ``source_quality`` finding per failed source-quality expectation, naming the
    expectation, its column and the offending rows and values. A failure of a check on the
    findings table is left out: the rows it counts are findings already."""
    found = []
    for name, failure in source_quality_failures(report):
        table = report["suites"][name].get("table") or name.split(".")[0]
        if table == "findings":
            continue
        rows = failure.get("rows", [])
        kwargs = failure["kwargs"]
        columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
        columns = columns or list(kwargs.get("column_list") or [])
        lines = sorted({int(r["source_line"]) for r in rows if r.get("source_line") is not None})
        refs = sorted({int(r["ref_number"]) for r in rows if r.get("ref_number") is not None})
        shown = [
            ", ".join(f"{k} {v}" for k, v in row.items() if k not in columns)
            + " ("
            + ", ".join(f"{c} {row.get(c)}" for c in columns if c in row)
            + ")"
            for row in rows
        ]
        count = failure["unexpected_count"] or len(rows)
        detail = (
            f"Source-quality check {_describe(name, failure)}; {count} row(s) do not: "
            + "; ".join(shown or [str(failure["sample"])])
            + (f" (first {len(rows)} shown)" if count > len(rows) else "")
            + "."
        )
        if failure.get("reason"):
            detail += f" Why it matters: {failure['reason']}"
        found.append(
            Finding(
                kind="source_quality",
                table=table,
                detail=detail,
                source_line=lines[0] if lines else None,
                related_lines=lines[1:],
                ref_number=refs[0] if len(refs) == 1 else None,
            )
        )
    return found


def with_source_quality_findings(
    tables: dict[str, pd.DataFrame], report: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """The tables to publish: as extracted, with the source-quality findings added."""
    found = source_quality_findings(report)
    if not found:
        return tables
    return {**tables, "findings": with_findings(tables["findings"], found)}


def failure_text(name: str, failure: dict[str, Any]) -> str:
    """One failed expectation of suite ``name``: what was expected of which column, and the
    offending rows (when the suite names them), values or the error that stopped it."""
    text = _describe(name, failure)
    sample = failure["sample"] or failure["observed_value"]
    if failure["exception"]:
        text += f" (could not evaluate: {failure['exception']})"
    elif failure.get("rows"):
        rows = [
            "(" + ", ".join(f"{k} {v}" for k, v in row.items()) + ")" for row in failure["rows"]
        ]
        count = failure["unexpected_count"] or len(rows)
        text += f"; {count} row(s) do not: " + ", ".join(rows)
        if count > len(rows):
            text += f" (first {len(rows)} shown)"
    elif sample not in (None, []):
        text += f", offending values {sample}"
    return text


def failure_message(report: dict[str, Any], context: str = "") -> str:
    parts = [failure_text(name, failure) for name, failure in blocking_failures(report)]
    message = "Validation failed, nothing was published."
    if context:
        message += f" {context}"
    return f"{message} Failed expectations: " + "; ".join(parts) + "."


def summary_lines(report: dict[str, Any]) -> list[str]:
    return [
        f"{name} ({suite.get('gate', BLOCKING).replace('_', '-')}): "
        f"{suite['successful']}/{suite['evaluated']} expectations met"
        for name, suite in report["suites"].items()
    ]
