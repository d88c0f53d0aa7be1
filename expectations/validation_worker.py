"""Great Expectations in a process of its own, started before the flow needs it.

Importing GX costs about as much as importing Prefect, pandas and pyarrow together. A run
starts this worker first; it imports GX and builds the suites (expectations/validate.py: Validator)
on the second core while the run imports Prefect and reads and extracts the source. The run
then hands the tables over (a pickle through a pipe: the same Python and pandas on both ends,
so every dtype arrives exactly as extracted) and gets the report back, or the failure. The
worker validates once and exits.

The parent module imports only the standard library, so starting a worker costs nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
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

    def __init__(self) -> None:
        # Lives as long as the worker (its output explains a crash), so no with-block.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
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


_prestarted: ValidationWorker | None = None
_prestarted_lock = threading.Lock()


def prestart() -> None:
    """Start a worker now, for the next acquire() in this process (the CLI calls this before
    importing Prefect, so the two imports overlap)."""
    global _prestarted
    with _prestarted_lock:
        if _prestarted is None:
            _prestarted = ValidationWorker()


def acquire() -> ValidationWorker:
    """The prestarted worker if there is one, otherwise a new one."""
    global _prestarted
    with _prestarted_lock:
        worker, _prestarted = _prestarted, None
    return worker or ValidationWorker()


def _serve(request_fd: int, response_fd: int) -> int:
    """Build the validator before the request arrives, answer it, exit."""
    validator = None
    try:
        # In the worker only: validate.py brings pandas (0.9 s) and GX, and the parent, which
        # imports this module, only the standard library (see the module docstring).
        with collector_paused():  # GX's import and the suites, about a quarter cheaper
            from expectations.validate import Validator

            validator = Validator()
        with os.fdopen(request_fd, "rb") as pipe:
            try:
                request = pickle.load(pipe)
            except EOFError:
                return 0  # the run needed no validation (unchanged data) and closed the pipe
        report = validator.validate(
            request["tables"], request["now"], request["docs_dir"], split=True
        )
        response: dict[str, Any] = {"kind": "ok", "report": report}
    except ValidationFailed as failure:
        response = {"kind": "failed", "message": str(failure), "report": failure.report}
    except BaseException:
        response = {"kind": "error", "message": traceback.format_exc(limit=-8)}
    response["split"] = bool(validator and validator.split_used)
    with os.fdopen(response_fd, "wb") as pipe:
        pipe.write(pickle.dumps(response, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    status = _serve(int(sys.argv[1]), int(sys.argv[2]))
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is answered; skipping interpreter teardown (≈1 s for GX's module graph)
    # hands the core back to the run sooner.
    os._exit(status)
