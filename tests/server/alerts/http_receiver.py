"""A real webhook receiver for tests: uvicorn on 127.0.0.1, an ephemeral port, in this event
loop; it keeps every request and answers with the statuses it is told, in turn."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn


@dataclass
class Received:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The ASGI app: records requests, answers ``statuses`` in turn (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Read the whole body, record it, answer."""
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(Received(scope["path"], headers, body))
        self.arrived.set()
        code = self.statuses.pop(0) if self.statuses else 200
        await send({"type": "http.response.start", "status": code, "headers": []})
        await send({"type": "http.response.body", "body": b"noted"})


@asynccontextmanager
async def serving(app: Any, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (ephemeral port); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections made before uvicorn starts wait in the backlog
    config = uvicorn.Config(app, lifespan=lifespan, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    """A running receiver; ``url`` is where to POST."""
    app = Receiver()
    async with serving(app) as base:
        app.url = f"{base}/hooks/printscout"
        yield app
