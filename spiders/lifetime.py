"""A process that must not outlive its parent (a crawl child, a cleaning worker)."""

from __future__ import annotations

import signal
import sys


def die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the parent dies (even by kill -9), so no
    orphaned crawl or worker keeps running after its flow is gone. Linux only."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
