"""A history release's tables from tests/revision_script.py, written the way the flow writes
them (the real extractor, TimelineBuilder and the flow's ParquetTables writer), for tests of
what is published from them (report, datapackage) without running the flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from revision_script import ScriptedRevision, revision_script

from flows.history_flow import ParquetTables
from ingestion.wikipedia import Revision
from storage.history_resume import source_record
from transforms.history import (
    RevisionMeta,
    TimelineBuilder,
    history_frame,
    identical_outcome,
    identical_targets,
    process_revision,
    tables_from_open_spans,
)

API = "https://en.wikipedia.org/w/api.php"
TITLE = "Scripted history of the MEK article"


def script_run(script: list[ScriptedRevision], api: str = API) -> dict[str, Any]:
    """The run record the flow passes to publish_history, for the scripted revisions."""
    statuses: dict[str, int] = {}
    for scripted in script:
        statuses[scripted.status] = statuses.get(scripted.status, 0) + 1
    listed = [Revision(api, TITLE, TITLE, None, 1, s.revid, s.parentid) for s in script]
    return {
        "source": source_record(listed, None, None, None),
        "revisions": len(script),
        "statuses": statuses,
        "fetched": len(script),
        "cached": 0,
    }


def write_history_tables(folder: Path, script: list[ScriptedRevision] | None = None) -> dict:
    """Triage and extract each revision, feed the builder in order and stream every table to
    ``folder`` with the flow's writer. Returns the latest extraction's claim tables."""
    script = script or revision_script()
    writer = ParquetTables(folder)
    builder = TimelineBuilder()
    repeats = identical_targets((r.revid, r.sha1) for r in script)
    builder.expect_identical(repeats)
    parent_size = None
    latest: dict = {}
    for scripted in script:
        meta = RevisionMeta(
            scripted.revid, scripted.parentid, scripted.timestamp, scripted.sha1, scripted.size
        )
        if scripted.revid in repeats:
            outcome = identical_outcome(meta, repeats[scripted.revid])
        else:
            outcome = process_revision(
                meta,
                scripted.text,
                parent_size=parent_size,
                base_sections_sha1=builder.base_sections_sha1,
            )
        parent_size = scripted.size
        if outcome.tables is not None:
            latest = outcome.tables
        writer.write_step(builder.add(outcome))
        if outcome.status == "identical" and builder.base_revid == scripted.revid:
            latest = {}
    standing = builder.finish()
    for name, spans in standing.items():
        writer.write(f"{name}_history", spans)
    writer.close()
    # As the flow: the references (and claims that are rows extracted earlier, after a
    # revert) are checked against the open spans.
    from_spans = tables_from_open_spans(
        {name: history_frame(name, spans) for name, spans in standing.items()}
    )
    return {**(latest or from_spans), "references": from_spans["references"]}
