"""Errors a user can act on. The CLI prints their message as one paragraph, no traceback."""

from __future__ import annotations


class MekdataError(Exception):
    """Base for every expected failure: bad input, failed validation, unwritable output."""

    exit_code = 1


class SourceError(MekdataError):
    """The source text cannot be read, decoded or is not the article."""

    exit_code = 2


class ValidationFailed(MekdataError):
    """A Great Expectations suite failed; nothing was published."""

    exit_code = 3

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report or {"suites": {}}


class PublishError(MekdataError):
    """The release could not be written; earlier releases are untouched."""

    exit_code = 4
