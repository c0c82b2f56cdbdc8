"""The bundled offline replica of the archive: pages in the real Divi markup,
with texts of our own, served on 127.0.0.1 by the tests and `archive demo`;
and a news site of its own markup (not WordPress) for the generic crawl."""

from .newsroom import NewsroomSite
from .server import ReplicaServer
from .site import ReplicaSite

__all__ = ["NewsroomSite", "ReplicaServer", "ReplicaSite"]
