"""The published output folder's layout: every file and folder name a reader can rely on.

Names only, no input or output: the pages (pages/) link these files, storage/ writes and reads
them (storage/output_folder.py: the indexes, the lock, the publishing transaction), the
commands find them. Changing one changes what every published folder looks like to its users.

    <output>/index.html                 CATALOG_FILE: every version, for people
    <output>/index.json, latest.json    INDEX_FILE (every release, newest last), LATEST_FILE
    <output>/.lock                      LOCK_FILE: one publishing run at a time
    <output>/releases/<version>/        RELEASES_DIR: one release, immutable once written
    <output>/history/index.json         HISTORY_DIR: every history release, and
    <output>/history/<version>/         one of them
    <output>/history/cache/             CACHE_DIR: fetched revisions' HTML
"""

from __future__ import annotations

from mekdata import REPO_ROOT

# Where releases go when no --output is given.
DEFAULT_OUTPUT = REPO_ROOT / "output"

CATALOG_FILE = "index.html"
INDEX_FILE = "index.json"
LATEST_FILE = "latest.json"
LOCK_FILE = ".lock"
RELEASES_DIR = "releases"
HISTORY_DIR = "history"
CACHE_DIR = "cache"
# A version is built in a hidden folder with this prefix, then renamed into place.
STAGING_PREFIX = ".staging-"

# In a release's (or history release's) folder.
REPORT_FILE = "report.html"
CHANGES_FILE = "CHANGES.md"
CHANGES_JSON = "changes.json"
VALIDATION_FILE = "validation.json"
DATAPACKAGE_FILE = "datapackage.json"
SUMS_FILE = "SHA256SUMS"
DUCKDB_FILE = "mekdata.duckdb"
HISTORY_DUCKDB = "history.duckdb"
DATA_DOCS_DIR = "data_docs"
SOURCE_DIR = "source"
SOURCE_METADATA = "metadata.json"
# The release's exports (storage/exports.py writes them).
FTM_FILE = "entities.ftm.json"
QS_FILE = "wikidata.qs"
EXPORT_FILES = (FTM_FILE, QS_FILE)
