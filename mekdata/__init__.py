"""The layer every other package may import: the project's identity and its user-facing errors.

Layers, bottom up: ``mekdata`` → ``transforms`` (pure extraction) → ``ingestion`` (reading
sources) → ``expectations`` (the validation gate) → ``storage`` (releases on disk or remote) →
``flows`` (Prefect flows and the CLI). Nothing imports a layer above its own.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PROJECT = "mekdata"
try:
    __version__ = version(PROJECT)
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
