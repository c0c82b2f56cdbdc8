"""`archive replica serve`: the bundled replicas on 127.0.0.1, for trying the
fleet, Prefect and import by hand (the tests and `archive demo` serve them
the same way). Serves until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from typing import Literal

import typer

from .console import err, fail, out

replica_app = typer.Typer(help="Serve the bundled replica sites on 127.0.0.1.",
                          no_args_is_help=True, add_completion=False, rich_markup_mode=None)
REPLICAS = ("archive", "newsroom")


@replica_app.command("serve")
def serve(
    site: str = typer.Option("archive", help="archive (the Asharq Al-Awsat archive, WordPress "
                                             "and Divi) or newsroom (a news site of its own "
                                             "markup, for --site generic)."),
    port: int = typer.Option(0, min=0, max=65535,
                             help="The port (0: any free one; the URL is printed)."),
    articles: int = typer.Option(56, min=1, max=10_000, help="How many articles it holds."),
) -> None:
    """Serve one replica until stopped; prints its base URL first."""
    from replica import NewsroomSite, ReplicaServer, ReplicaSite

    if site not in REPLICAS:
        raise fail(f"--site: {site!r} is not one of {', '.join(REPLICAS)}")
    kind: Literal["archive", "newsroom"] = "archive" if site == "archive" else "newsroom"
    content = ReplicaSite(articles=articles) if kind == "archive" else \
        NewsroomSite(articles=articles)
    try:
        server = ReplicaServer(content, port=port)  # type: ignore[arg-type]
    except OSError as error:
        raise fail(f"port {port} on 127.0.0.1 is taken ({error.strerror}): give another "
                   "--port, or 0 for any") from None
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    with server:
        out.print(server.base, highlight=False)  # the first line: scripts read it
        err.print(f"serving the {site} replica at {server.base} ({articles} articles); "
                  "Ctrl-C stops it", highlight=False)
        stop.wait()
    err.print("stopped")
