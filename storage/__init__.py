"""Releases as stored files: publishing, formats, locations, downloads, changes, reports."""
