"""Where releases live: a local folder, an http(s) URL (read-only) or any fsspec URL.

``Location`` gives the few operations the commands need (read a file, list what exists) so
``releases``, ``download`` and ``diff`` work the same against a folder, a web server or a
bucket.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mekdata.errors import MekdataError
from mekdata.layout import INDEX_FILE, LATEST_FILE
from storage.output_folder import parse_index

URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class LocationError(MekdataError):
    """A release location cannot be read or does not hold what was asked for."""

    exit_code = 5


def is_remote(location: str) -> bool:
    return bool(URL_SCHEME_RE.match(location)) and not location.startswith("file://")


def local_path(location: str) -> Path:
    return Path(location.removeprefix("file://"))


@dataclass(frozen=True)
class Location:
    url: str

    @property
    def kind(self) -> str:
        if not is_remote(self.url):
            return "local"
        return "http" if self.url.lower().startswith(("http://", "https://")) else "fsspec"

    def join(self, relative: str) -> str:
        if self.kind == "local":
            return str(local_path(self.url) / relative)
        return self.url.rstrip("/") + "/" + relative

    def read_bytes(self, relative: str, timeout: float = 60.0) -> bytes:
        target = self.join(relative)
        try:
            if self.kind == "local":
                return Path(target).read_bytes()
            if self.kind == "http":
                # Remote kinds only: httpx and fsspec take 0.2 s and 0.1 s to import
                # (measured 2026-12-07), and the CLI reads local folders before anything heavy.
                import httpx

                response = httpx.get(target, timeout=timeout, follow_redirects=True)
                if response.status_code == 404:
                    raise FileNotFoundError(target)
                response.raise_for_status()
                return response.content
            import fsspec

            with fsspec.open(target, "rb") as handle:
                return handle.read()
        except FileNotFoundError as error:
            raise LocationError(f"{target} does not exist.") from error
        except LocationError:
            raise
        except Exception as error:  # network, permissions, credentials: all end the same way
            raise LocationError(f"Cannot read {target}: {error}.") from error

    def read_json(self, relative: str) -> dict[str, Any]:
        data = self.read_bytes(relative)
        try:
            return json.loads(data)
        except json.JSONDecodeError as error:
            raise LocationError(f"{self.join(relative)} is not valid JSON: {error}.") from error

    def index(self) -> dict[str, Any]:
        """The location's ``index.json`` as storage/output_folder.py reads it."""
        try:
            data: bytes | None = self.read_bytes(INDEX_FILE)
        except LocationError as error:
            if "does not exist" not in str(error):
                raise
            data = None
        try:
            return parse_index(data)
        except ValueError as error:
            raise LocationError(
                f"{self.join(INDEX_FILE)} is not a release index: {error}."
            ) from error

    def resolve_version(self, version: str) -> dict[str, Any]:
        """The index entry for a version name or 'latest'."""
        versions = self.index().get("versions", [])
        if not versions:
            raise LocationError(f"No releases at {self.url} (no index.json).")
        if version == "latest":
            try:
                version = self.read_json(LATEST_FILE)["version"]
            except (LocationError, KeyError):
                version = versions[-1]["version"]
        for entry in versions:
            if entry["version"] == version:
                return entry
        known = ", ".join(v["version"] for v in versions)
        raise LocationError(f"No release {version!r} at {self.url}; published: {known}.")
