"""The layer every other package may import: the project's identity and its user-facing errors.

Layers, bottom up: ``mekdata`` → ``transforms`` (pure extraction) → ``ingestion`` (reading
sources) → ``expectations`` (the validation gate) → ``pages`` (HTML pages as strings) →
``storage`` (releases on disk or remote) → ``flows`` (Prefect flows and the CLI). Nothing
imports a layer above its own.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PROJECT = "mekdata"
# The checkout: the bundled source (sources/), the default output (output/), Prefect's home.
REPO_ROOT = Path(__file__).resolve().parents[1]
# The article the datasets are read from, as Wikipedia titles it today (scheduled runs read it).
LIVE_ARTICLE = "People's Mojahedin Organization of Iran"
# The article's licence, which the datasets keep (CC BY-SA asks derived works to share alike).
CONTENT_LICENCE = {
    "name": "CC-BY-SA-4.0",
    "title": "Creative Commons Attribution-ShareAlike 4.0 International",
    "path": "https://creativecommons.org/licenses/by-sa/4.0/",
}
try:
    __version__ = version(PROJECT)
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
