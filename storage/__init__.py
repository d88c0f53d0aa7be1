"""Releases as stored files: the output folder, publishing, exports, locations, downloads,
changes."""
