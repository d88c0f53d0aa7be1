"""Great Expectations in a process of its own, started before the flow needs it.

Importing GX costs about as much as importing Prefect, pandas and pyarrow together. A run
starts this worker first; it imports GX and builds the suites (expectations/validate.py: Validator)
on the second core while the run imports Prefect and reads and extracts the source. The run
then hands the tables over (a pickle through a pipe: the same Python and pandas on both ends,
so every dtype arrives exactly as extracted) and gets the report back, or the failure. The
worker validates once and exits.

Given the path of a local source (``ahead``; `mekdata run` gives it), the worker does not wait
idle for the tables: once GX is imported it reads and extracts that file itself, as the flow
will, and validates the result while the run still waits for its Prefect server. When the
run's tables arrive and equal those (every frame, column, dtype and index), and the expectation
parameters are the same (the same day), it answers with that validation and its Data Docs;
otherwise it validates what it was sent, as without ``ahead``. ``answered_ahead`` says which;
the report's ``validated_at`` is when the suites ran.

The parent module imports only the standard library, so starting a worker costs nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mekdata import REPO_ROOT
from mekdata.errors import ValidationFailed
from mekdata.startup import collector_paused

# Generous: validating the article takes about a second once GX is imported.
RESPONSE_TIMEOUT_S = 20 * 60
ERROR_TAIL_CHARS = 3000


class ValidationWorker:
    """One validation in a child process: ``validate()`` once, then ``stop()``."""

    def __init__(self, ahead: Path | None = None) -> None:
        """``ahead``: a local source file to read, extract and validate before the tables
        arrive (see the module docstring)."""
        # Lives as long as the worker (its output explains a crash), so no with-block.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        # The validation ahead writes its Data Docs here. The parent owns the folder, not the
        # worker: stop() kills the worker, often while it is still tidying up after answering.
        self.scratch = Path(tempfile.mkdtemp(prefix="mekdata-ahead-")) if ahead else None
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            # One thread per BLAS library: the worker forks, and two cores are all we have.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "expectations.validation_worker",
                    str(request_read),
                    str(response_write),
                    *([str(ahead), str(self.scratch)] if ahead is not None else []),
                ],
                pass_fds=(request_read, response_write),
                stdin=subprocess.DEVNULL,
                stdout=self._stderr,
                stderr=self._stderr,
                env=environment,
                # Its own process group: stop() ends the worker and the fork it may be running.
                start_new_session=True,
            )
        finally:
            os.close(request_read)
            os.close(response_write)
        self._request = os.fdopen(request_write, "wb")
        self._response = os.fdopen(response_read, "rb")
        self._used = False
        self.split: bool | None = None  # after validate(): whether half ran in a fork
        # After validate(): whether the answer is the validation done ahead (see above).
        self.answered_ahead: bool | None = None

    def validate(
        self,
        tables: dict[str, Any],
        now: dt.datetime | None = None,
        docs_dir: Path | None = None,
    ) -> dict[str, Any]:
        """What expectations.validate.validate_tables returns or raises, computed by the worker."""
        if self._used:
            raise RuntimeError("A ValidationWorker validates once; start a new one.")
        self._used = True
        request = pickle.dumps(
            {"tables": tables, "now": now or dt.datetime.now(dt.UTC), "docs_dir": docs_dir},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        try:
            with self._request:
                self._request.write(request)
        except BrokenPipeError:
            pass  # the worker died; its output explains why (read below)
        response = self._read_response()
        self.stop()
        self.split = response.get("split", False)
        self.answered_ahead = response.get("ahead", False)
        if response["kind"] == "ok":
            return response["report"]
        if response["kind"] == "failed":
            raise ValidationFailed(response["message"], response["report"])
        raise ValidationFailed(
            f"Validation could not run, nothing was published: {response['message']}"
        )

    def _read_response(self) -> dict[str, Any]:
        chunks = []
        with self._response as pipe:
            while True:
                ready, _, _ = select.select([pipe], [], [], RESPONSE_TIMEOUT_S)
                if not ready:
                    return {"kind": "error", "message": f"no answer within {RESPONSE_TIMEOUT_S} s"}
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        if not chunks:
            self.process.wait(timeout=30)
            return {
                "kind": "error",
                "message": f"the validation worker exited with code {self.process.returncode} "
                f"without an answer. {self._output_tail()}",
            }
        return pickle.loads(b"".join(chunks))

    def _output_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")[-ERROR_TAIL_CHARS:].strip()

    def stop(self) -> None:
        """End the worker and its fork (an unchanged run never needs them; a cancelled run
        must not leave them behind) and release the pipes."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pipe in (self._request, self._response):
            with contextlib.suppress(BrokenPipeError):  # the worker is gone; nothing to flush
                pipe.close()
        self._stderr.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


_prestarted: ValidationWorker | None = None
_prestarted_lock = threading.Lock()


def prestart(ahead: Path | None = None) -> None:
    """Start a worker now, for the next acquire() in this process (the CLI calls this before
    importing Prefect, so the two imports overlap); ``ahead`` as in ValidationWorker."""
    global _prestarted
    with _prestarted_lock:
        if _prestarted is None:
            _prestarted = ValidationWorker(ahead)


def acquire() -> ValidationWorker:
    """The prestarted worker if there is one, otherwise a new one."""
    global _prestarted
    with _prestarted_lock:
        worker, _prestarted = _prestarted, None
    return worker or ValidationWorker()


def _serve(
    request_fd: int,
    response_fd: int,
    ahead_path: Path | None = None,
    scratch: Path | None = None,
) -> int:
    """Build the validator before the request arrives (and validate ahead, given a source
    file and the parent's scratch folder for its Data Docs), answer the request, exit."""
    try:
        with collector_paused():  # GX's import and the suites, about a quarter cheaper
            from expectations.validate import Validator

            validator = Validator()
        ahead = (
            _validate_ahead(validator, ahead_path, scratch)
            if ahead_path is not None and scratch is not None
            else None
        )
        with os.fdopen(request_fd, "rb") as pipe:
            try:
                request = pickle.load(pipe)
            except EOFError:
                return 0  # the run needed no validation (unchanged data) and closed the pipe
        if ahead is not None and ahead.answers(request):
            response = ahead.answer(request["docs_dir"])
        else:
            if validator.used:  # by the validation ahead, of other tables
                validator = Validator()
            response = _outcome(validator, request["tables"], request["now"], request["docs_dir"])
    except BaseException:
        response = {"kind": "error", "message": traceback.format_exc(limit=-8)}
    with os.fdopen(response_fd, "wb") as pipe:
        pipe.write(pickle.dumps(response, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


def _outcome(
    validator: Any, tables: dict[str, Any], now: dt.datetime, docs_dir: Path | None
) -> dict[str, Any]:
    """The response to a validation: the report, the failure, or the error."""
    try:
        report = validator.validate(tables, now, docs_dir, split=True)
        response: dict[str, Any] = {"kind": "ok", "report": report}
    except ValidationFailed as failure:
        response = {"kind": "failed", "message": str(failure), "report": failure.report}
    except Exception:
        response = {"kind": "error", "message": traceback.format_exc(limit=-8)}
    response["split"] = bool(validator.split_used)
    return response


@dataclass
class _Ahead:
    """A validation done before its request: the tables it validated, when, its Data Docs
    and the response it gave."""

    tables: dict[str, Any]
    now: dt.datetime
    docs: Path
    response: dict[str, Any]

    def answers(self, request: dict[str, Any]) -> bool:
        from expectations.validate import expectation_parameters

        tables = request["tables"]
        return same_tables(self.tables, tables) and expectation_parameters(
            tables, request["now"]
        ) == expectation_parameters(tables, self.now)

    def answer(self, docs_dir: Path | None) -> dict[str, Any]:
        if docs_dir is not None:
            shutil.copytree(self.docs, docs_dir, dirs_exist_ok=True)
        return {**self.response, "ahead": True}


def _validate_ahead(validator: Any, path: Path, docs: Path) -> _Ahead | None:
    """Read, extract and validate ``path`` as the run will; None when that fails (the run
    reads the source itself and reports what is wrong with it)."""
    # Worker only: reading and extracting, as the flow's ingest and extract tasks do.
    from ingestion.source import make_source, read_path
    from transforms import extract_all

    try:
        source = make_source(read_path(path), str(path))
        tables = extract_all(source.text, source.reference_anchors)
    except Exception:
        return None
    now = dt.datetime.now(dt.UTC)
    response = _outcome(validator, tables, now, docs)
    if response["kind"] == "error":
        return None
    return _Ahead(tables, now, docs, response)


def same_tables(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Every table equal: names, columns in order, dtypes, index, values (NaN equal to NaN)
    and the frames' attrs."""
    if list(left) != list(right):
        return False
    for name, frame in left.items():
        other = right[name]
        if (
            list(frame.columns) != list(other.columns)
            or not frame.dtypes.equals(other.dtypes)
            or not frame.index.equals(other.index)
            or frame.attrs != other.attrs
            or not frame.equals(other)
        ):
            return False
    return True


if __name__ == "__main__":
    ahead_path, scratch = (
        (Path(sys.argv[3]), Path(sys.argv[4])) if len(sys.argv) > 4 else (None, None)
    )
    status = _serve(int(sys.argv[1]), int(sys.argv[2]), ahead_path, scratch)
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is answered; skipping interpreter teardown (≈1 s for GX's module graph)
    # hands the core back to the run sooner.
    os._exit(status)
