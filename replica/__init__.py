"""The bundled offline replica of the archive: pages in the real Divi markup,
with texts of our own, served on 127.0.0.1 by the tests and `archive demo`."""

from .server import ReplicaServer
from .site import ReplicaSite

__all__ = ["ReplicaServer", "ReplicaSite"]
