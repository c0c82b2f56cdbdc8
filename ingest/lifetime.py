"""A process that must not outlive its parent (a crawl child, a cleaning worker)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

# Loaded here, in the parent: die_with_parent runs in a child between fork and
# exec (preexec_fn), where loading a library is not safe beside other threads.
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int | None = None,
                    death_signal: int = signal.SIGTERM) -> None:
    """Ask the kernel for `death_signal` when the parent dies (even by kill -9),
    so no orphaned crawl or worker keeps running after its flow is gone.
    Linux only. (The kernel sends it as the thread that started us exits,
    and again as each other thread of the parent does.)

    `parent_pid` closes the race of a parent that died before this was
    asked (a worker still importing when its crawl was killed): then we go now."""
    if _LIBC is not None:
        pr_set_pdeathsig = 1
        _LIBC.prctl(pr_set_pdeathsig, death_signal)
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)
