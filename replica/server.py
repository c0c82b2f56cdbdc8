"""Serves a `ReplicaSite` on 127.0.0.1 from a background thread, with a log
of every request (so tests can count fetches) and ETag / If-None-Match."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .faults import act, encode_page, fault_etag
from .site import ReplicaSite


class ReplicaServer:
    def __init__(self, site: ReplicaSite | None = None, port: int = 0,
                 article_delay_s: float = 0.0) -> None:
        self.site = site or ReplicaSite()
        self.article_delay_s = article_delay_s  # a slow site, for crash tests
        self.requests: list[str] = []
        self.counts: Counter[str] = Counter()  # requests per path, query left out
        self.times: list[float] = []  # when each request arrived (time.monotonic)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        # Where a hostile site's "internal service" lives (redirects there must not be followed).
        self.httpd.internal_base = getattr(self.site, "internal_base", None)  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ReplicaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def log(self, path: str) -> int:
        """Record a request; how many came before it for the same path."""
        with self._lock:
            self.requests.append(path)
            self.times.append(time.monotonic())
            bare = "/" + urlsplit(path).path.strip("/")
            self.counts[bare] += 1
            return self.counts[bare] - 1

    def take_requests(self) -> list[str]:
        with self._lock:
            taken, self.requests = self.requests, []
            return taken

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                before = server.log(self.path)
                parts = urlsplit(self.path)
                path = "/" + parts.path.strip("/")
                if server.article_delay_s and path.count("/") == 3:
                    time.sleep(server.article_delay_s)
                api = getattr(server.site, "api", None)
                answer = api.answer(path, parts.query, server.base) if api else None
                if answer is not None:
                    body = answer.body.encode()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                    return
                status, content_type, text = server.site.page(path, server.base)
                kind = "ok"
                fault_for = getattr(server.site, "fault_for", None)
                fault = fault_for(path) if fault_for else None
                if fault is not None:
                    kind = fault.kind
                    failing = fault.heals_after is None or before < fault.heals_after
                    if failing and act(self, kind, path, parts.query, text.encode()):
                        return
                if isinstance(text, bytes):  # a file served as it is (a .gz sitemap, say)
                    body, encoded_type = text, content_type
                else:
                    body, encoded_type = encode_page(kind, text)
                if status == 200 and content_type.startswith("text/html"):
                    content_type = encoded_type
                etag = fault_etag(kind) or '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if status == 200:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # the request log above is enough

        return Handler
