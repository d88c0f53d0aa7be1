"""Reading the article: local files, URLs and (soon) Wikipedia revisions."""
