"""A real HTTP server on 127.0.0.1 serving the article the ways the world can fail to."""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from pathlib import Path

ARTICLE = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"
SLOW_SECONDS = 3.0


class ArticleHandler(http.server.BaseHTTPRequestHandler):
    hits: Counter  # set on the subclass made per server

    def log_message(self, *args):
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.hits[self.path] += 1
        article = ARTICLE.read_bytes()
        validators = {"ETag": '"article-v1"', "Last-Modified": "Fri, 27 Nov 2026 06:00:00 GMT"}
        if self.path == "/article.txt":
            self._send(200, article, headers=validators)
        elif self.path.startswith("/flaky/"):  # 503 on the first request to each path
            if self.hits[self.path] == 1:
                self._send(503, b"try again later")
            else:
                self._send(200, article, headers=validators)
        elif self.path == "/slow.txt":
            time.sleep(SLOW_SECONDS)
            self._send(200, article)
        elif self.path == "/page.html":
            self._send(200, b"<!DOCTYPE html><html><body>MEK</body></html>", "text/html")
        else:
            self._send(404, b"not found")


class ArticleServer:
    def __init__(self) -> None:
        handler = type("Handler", (ArticleHandler,), {"hits": Counter()})
        self.hits = handler.hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> ArticleServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
