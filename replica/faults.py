"""How the replica server acts out a fault on one request."""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

TIMEOUT_SLEEP_S = 4.0  # longer than the download timeout the tests give the crawler
HUGE_BYTES = 3 * 1024 * 1024


def act(handler: BaseHTTPRequestHandler, kind: str, path: str, query: str,
        page: bytes) -> bool:
    """Answer with the fault `kind`; False when the page should be served as usual."""
    if kind in ("http_500", "http_502_always", "http_404", "http_410"):
        status = {"http_500": 500, "http_502_always": 502, "http_404": 404, "http_410": 410}[kind]
        _send(handler, status, b"<html><body><h1>Error</h1></body></html>")
    elif kind in ("http_503_retry_after", "http_429_retry_after"):
        _send(handler, 503 if kind.startswith("http_503") else 429, b"busy",
              {"Retry-After": "1"})
    elif kind == "timeout":
        time.sleep(TIMEOUT_SLEEP_S)
        handler.close_connection = True
    elif kind == "reset":
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
        handler.close_connection = True
    elif kind in ("truncated", "truncated_always"):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=UTF-8")
        handler.send_header("Content-Length", str(len(page)))
        handler.end_headers()
        handler.wfile.write(page[: len(page) // 2])
        handler.close_connection = True
    elif kind == "huge":
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=UTF-8")
        handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        with contextlib.suppress(OSError):  # the crawler hangs up, as it should
            handler.wfile.write(b"<p>" + b"x" * (HUGE_BYTES - 3))
        handler.close_connection = True
    elif kind == "redirect_chain":
        hop = parse_qs(query).get("hop", ["0"])[0]
        if hop == "2":
            return False
        _redirect(handler, 301 if hop == "0" else 302, f"{path}?hop={int(hop) + 1}")
    elif kind == "redirect_loop":
        step = int(parse_qs(query).get("loop", ["0"])[0])
        _redirect(handler, 302, f"{path}?loop={step + 1}")
    elif kind == "redirect_offsite":
        port = handler.server.server_address[1]  # type: ignore[index]
        _redirect(handler, 302, f"http://127.0.0.2:{port}/elsewhere")
    elif kind == "slash_redirect":  # WordPress adds the trailing slash with a 301
        if urlsplit(handler.path).path.endswith("/"):
            return False
        _redirect(handler, 301, f"{path}/" + (f"?{query}" if query else ""))
    elif kind == "redirect_other_port":  # the same host, another port: an internal service
        internal = getattr(handler.server, "internal_base", None) or "http://127.0.0.1:9"
        _redirect(handler, 302, f"{internal}/secret/internal/page")
    else:
        return False
    return True


LONG_ETAG = '"' + "e" * 400 + '"'


def fault_etag(kind: str) -> str | None:
    """An ETag of the fault's own, instead of the page's digest."""
    return LONG_ETAG if kind == "long_values" else None


def encode_page(kind: str, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type for the charset faults (and healthy pages)."""
    if kind == "cp1256_mislabelled":  # cp1256 bytes that the header calls UTF-8
        return page.replace('<meta charset="UTF-8" />', "").encode("cp1256"), \
            "text/html; charset=UTF-8"
    if kind in ("koi8r_header_only", "latin2_header_only"):  # only the HTTP header says
        charset = "koi8-r" if kind.startswith("koi8r") else "iso-8859-2"
        return page.replace('<meta charset="UTF-8" />', "").encode(charset), \
            f"text/html; charset={charset}"
    if kind == "latin1_undeclared":
        return page.replace('<meta charset="UTF-8" />', "").encode("latin-1"), "text/html"
    return page.encode("utf-8"), "text/html; charset=UTF-8"


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(handler: BaseHTTPRequestHandler, status: int, location: str) -> None:
    handler.send_response(status)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()
