"""Running the web app under uvicorn, one process or several (`frontwatch serve --workers N`).

With several workers uvicorn binds the listening socket itself, without the TCP protocol number
that makes asyncio switch Nagle's algorithm off on accepted connections: small replies would
then wait for the client's delayed ACK (about 40 ms each). Connections are set TCP_NODELAY here.
"""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # httptools is optional: uvicorn's pure-Python h11 protocol
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]


class NoDelayHTTP(_Base):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol with TCP_NODELAY on every connection."""

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def run(db: str, host: str, port: int, workers: int, token: str | None) -> None:
    """Serve `db` until interrupted; `workers` > 1: that many processes on one socket."""
    import uvicorn

    if workers <= 1:
        from frontwatch.web.app import create_app

        uvicorn.run(create_app(db, token=token), host=host, port=port, log_level="warning", http=NoDelayHTTP)
        return
    # Each process imports the app factory, which reads the database and token from the environment.
    os.environ["FRONTWATCH_DB"] = db
    if token:
        os.environ["FRONTWATCH_TOKEN"] = token
    uvicorn.run("frontwatch.web.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                log_level="warning", http=NoDelayHTTP)
