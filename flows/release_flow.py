"""The release flow: ingest → extract → validate → publish. Business logic lives elsewhere:
transforms/ for extraction, expectations/validate.py for the GX gate, storage/ for files."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from expectations import validation_worker
from expectations.validate import summary_lines, with_source_quality_findings
from expectations.validation_worker import ValidationWorker
from flows.observability import artifact_key, summary_markdown, table_rows
from flows.unchanged import Unchanged, unchanged_input
from ingestion.source import (
    SourceText,
    TransientFetchError,
    fetch_url,
    make_source,
    read_path,
)
from ingestion.spec import SourceSpec
from ingestion.wikipedia import Revision, WikiClient, WikiSource, revision_text
from mekdata.errors import MekdataError, ValidationFailed
from mekdata.layout import DEFAULT_OUTPUT
from pages.release_report import draw_charts
from storage.fingerprint import build_fingerprint
from storage.publish import PublishResult, publish_release, tables_hash, unchanged_release
from transforms import extract_all

FLOW_TIMEOUT_S = 30 * 60
FETCH_RETRIES = 3
FETCH_RETRY_DELAYS = [1, 2, 4]


def _is_transient(task_, task_run, state) -> bool:
    """Retry only what may heal by itself (timeouts, 5xx); a 404 fails at once."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            state.result()
        except Exception as raised:  # the state's stored exception
            error = raised
    return isinstance(error, TransientFetchError)


@task(
    name="fetch-url",
    retries=FETCH_RETRIES,
    retry_delay_seconds=FETCH_RETRY_DELAYS,
    retry_condition_fn=_is_transient,
)
def fetch_source(url: str) -> tuple[bytes, dict[str, str]]:
    return fetch_url(url)


@task(name="ingest")
def ingest(source: SourceSpec) -> SourceText:
    """Read (or download), decode and checksum the article text."""
    logger = get_run_logger()
    if source.is_url:
        data, headers = fetch_source(source.location)
        result = make_source(data, source.location, headers)
    else:
        result = make_source(read_path(source.path), source.location)
    logger.info(
        "Read %s: %d bytes, %s, sha256 %s",
        source.location,
        result.byte_count,
        result.encoding,
        result.sha256[:12],
    )
    return result


# No Prefect retries on the two wiki steps: the client retries timeouts, 5xx and maxlag itself,
# within one time budget for the whole run, which retries on top would multiply. The client is
# a live connection, not data: nothing to hash or cache.
@task(name="wiki-revision", cache_policy=NO_CACHE)
def wiki_revision(client: WikiClient, page: WikiSource) -> Revision:
    """The identity of the revision to read: one small request."""
    revision = client.revision(page)
    get_run_logger().info(
        'Wikipedia: "%s" is at revision %d of %s (%s)',
        revision.title,
        revision.revid,
        revision.timestamp,
        revision.permalink,
    )
    return revision


@task(name="unchanged-input")
def unchanged_before_reading(
    spec: SourceSpec, output: str, revision: Revision | None
) -> Unchanged | None:
    """The latest release when it was built from this input by this code (flows/unchanged.py,
    the same decision ``mekdata run`` takes before starting the flow)."""
    api = revision.api_url if revision is not None else ""
    return unchanged_input(spec, output, api, lambda page: revision.revid)


@task(name="wiki-render", cache_policy=NO_CACHE)
def wiki_render(client: WikiClient, revision: Revision) -> SourceText:
    """The revision's HTML from action=parse, rendered into the text the extractors read."""
    html = client.parse_html(revision)
    result = revision_text(revision, html)
    get_run_logger().info(
        "Rendered revision %d: %d bytes of HTML into %d bytes of text, sha256 %s",
        revision.revid,
        len(html.encode("utf-8")),
        result.byte_count,
        result.sha256[:12],
    )
    return result


def extraction_cache_key(context, parameters: dict[str, Any]) -> str:
    """Extraction is a pure function of the source bytes and the build code (the same
    fingerprint that lets an unchanged run skip the flow)."""
    source = parameters["source"]
    # The HTML's reference names and links are read besides the text (ref_key): the same
    # text rendered from HTML that names its refs differently is another extraction.
    anchors = hashlib.sha256(repr(source.reference_anchors).encode()).hexdigest()[:16]
    return f"extract-{source.sha256}-{anchors}-{build_fingerprint()[:16]}"


@task(
    name="extract",
    cache_key_fn=extraction_cache_key,
    persist_result=True,
    cache_expiration=dt.timedelta(days=30),
)
def extract(source: SourceText) -> dict[str, pd.DataFrame]:
    tables = extract_all(source.text, source.reference_anchors)
    get_run_logger().info(
        "Extracted %s", ", ".join(f"{name} ({len(frame)} rows)" for name, frame in tables.items())
    )
    return tables


@task(name="check-unchanged")
def check_unchanged(tables: dict[str, pd.DataFrame], output: str) -> dict[str, Any] | None:
    """Data equal to the latest release was validated when it was published."""
    return unchanged_release(tables, output)


# The worker is a live process handle, not data: nothing to hash or cache.
@task(name="validate", cache_policy=NO_CACHE)
def validate(
    worker: ValidationWorker, tables: dict[str, pd.DataFrame], docs_dir: str
) -> dict[str, Any]:
    """Run the GX suites (in the validation worker); a blocking failure raises before
    anything is published, a source-quality failure is logged and published as a finding."""
    logger = get_run_logger()
    try:
        report = worker.validate(tables, docs_dir=Path(docs_dir))
    except ValidationFailed as failure:
        for line in summary_lines(failure.report):
            logger.info(line)
        raise
    for line in summary_lines(report):
        logger.info(line)
    if worker.answered_ahead:
        logger.info(
            "Validated ahead, while the run waited for its Prefect server: the worker read "
            "and extracted the same tables from the source file."
        )
    quality = report["gates"]["source_quality"]
    if not quality["success"]:
        logger.warning(
            "%d source-quality expectation(s) failed: the article is odd, the tables are "
            "sound; publishing with findings.",
            quality["failed"],
        )
    return report


@task(name="draw-charts")
def charts_for_report(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The report's charts, drawn while the suites run: they do not depend on the verdict."""
    return draw_charts(tables, dt.datetime.now(dt.UTC).date())


@task(name="publish")
def publish(
    tables: dict[str, pd.DataFrame],
    source: SourceText,
    report: dict[str, Any],
    output: str,
    docs_dir: str,
    charts: dict[str, str],
    extracted_hash: str | None = None,
) -> PublishResult:
    result = publish_release(
        tables,
        source,
        report,
        output,
        now=dt.datetime.now(dt.UTC),
        data_docs=Path(docs_dir),
        charts=charts,
        extracted_hash=extracted_hash,
    )
    logger = get_run_logger()
    if result.status == "unchanged":
        logger.info("Data unchanged since release %s: nothing published.", result.version)
    else:
        logger.info("Published release %s to %s", result.version, result.path)
    return result


@task(name="report")
def report_artifacts(
    result: PublishResult, tables: dict[str, pd.DataFrame], validation: dict[str, Any] | None
) -> None:
    """A markdown summary and table artifacts, so a scheduled run can be read in the UI."""
    create_markdown_artifact(
        key=artifact_key("summary"),
        markdown=summary_markdown(
            result.status,
            result.version,
            result.row_counts,
            result.changes,
            tables.get("findings"),
            validation,
        ),
        description=f"mekdata {result.status} {result.version}",
    )
    for name, frame in tables.items():
        create_table_artifact(
            table=table_rows(frame),
            key=artifact_key(name),
            description=f"{name} in release {result.version}",
        )


def unchanged_result(latest: dict[str, Any], output: str) -> PublishResult:
    """What a run that publishes nothing returns: the latest release it equals."""
    return PublishResult(
        "unchanged", latest["version"], Path(output), latest["content_hash"], latest["row_counts"]
    )


@flow(name="mekdata-release", log_prints=True, timeout_seconds=FLOW_TIMEOUT_S)
def release_flow(
    source: str | None = None, output: str | None = None, wiki_api: str | None = None
) -> PublishResult:
    """Build and publish one release of the MEK datasets from a file, a URL or a Wikipedia
    revision (``wikipedia:<Title>[@<revid>]``, read through ``wiki_api``)."""
    spec = SourceSpec.parse(source)
    output = output or str(DEFAULT_OUTPUT)
    # Great Expectations imports in its own process while this one reads and extracts.
    worker = validation_worker.acquire()
    wiki = None
    try:
        revision = None
        if spec.wiki is not None:
            wiki = WikiClient(wiki_api)
            # Decided before anything is rendered: an unchanged article costs one request.
            revision = wiki_revision(wiki, spec.wiki)
        unchanged = unchanged_before_reading(spec, output, revision)
        if unchanged is not None:
            get_run_logger().info(
                "Unchanged: %s equal release %s; nothing to read or publish.",
                unchanged.reason,
                unchanged.version,
            )
            latest = unchanged.entry
            result = unchanged_result(latest, output)
            report_artifacts(result, {}, None)
            return result
        text = wiki_render(wiki, revision) if wiki is not None else ingest(spec)
        tables = extract(text)
        latest = check_unchanged(tables, output)
        if latest is not None:
            get_run_logger().info(
                "Data unchanged since release %s: nothing to validate or publish.",
                latest["version"],
            )
            result = unchanged_result(latest, output)
            report_artifacts(result, tables, None)
            return result
        with tempfile.TemporaryDirectory(prefix="mekdata-docs-") as docs_dir:
            verdict = validate.submit(worker, tables, docs_dir)
            charts = charts_for_report(tables)
            report = verdict.result()
            # What the gate let through with a remark is published with that remark; the
            # hash of the tables as extracted lets the next run's unchanged check match.
            published = with_source_quality_findings(tables, report)
            extracted_hash = tables_hash(tables) if published is not tables else None
            tables = published
            result = publish(tables, text, report, output, docs_dir, charts, extracted_hash)
    finally:
        worker.stop()
        if wiki is not None:
            wiki.close()
    report_artifacts(result, tables, report)
    return result


__all__ = ["MekdataError", "release_flow"]
