"""`archive replica serve`: a replica on the port asked, its URL on the first
line, stopped by SIGTERM with exit 0; a taken port is one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import http_get

pytestmark = pytest.mark.integration
ARCHIVE = str(Path(sys.executable).parent / "archive")


def test_serve_prints_its_url_serves_and_stops_on_sigterm():
    process = subprocess.Popen([ARCHIVE, "replica", "serve", "--site", "archive", "--articles",
                                "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert b"ASHARQ AL-AWSAT" in (http_get(base + "/category/opinion") or b"")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_a_taken_port_is_one_line():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = subprocess.run([ARCHIVE, "replica", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "is taken" in result.stderr
    assert "Traceback" not in result.stderr
