"""A real HTTP server on localhost for the download tests: it serves one folder and records the
paths asked for (the machines have no internet, and the tests must not need it)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def serving(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """(the server's base URL, ending in "/", and the list of request paths, filled as they come)."""
    requests: list[str] = []

    class Files(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a, **k: Files(*a, directory=str(folder), **k))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", requests
    finally:
        httpd.shutdown()
