"""HTML pages: the release report, the history report, the catalog; rendered to strings that
storage/ writes."""
