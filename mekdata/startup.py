"""Start-up of a process that imports the heavy libraries (Prefect, its server, Great
Expectations, pandas): the cyclic garbage collector paused while it imports.

Importing builds hundreds of thousands of long-lived objects and almost no garbage, yet each
allocation past the collector's threshold walks the growing heap again. Measured on our 2-core
machine (2026-12-07, CPU seconds, collector on / paused): ``prefect.server.api.server`` 4.93 /
3.95, ``great_expectations`` 5.57 / 4.19, ``prefect`` 1.34 / 1.10. What the imports built is then
frozen (moved out of the collector's sight, as the history's Dask workers do), so later
collections walk only what the run allocates.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block (imports, building the app or the suites) with the collector paused,
    then freeze what it built and restore the collector as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
