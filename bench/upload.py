"""Upload traffic: TCP bytes of one batch posted over TLS to a real server, counted by a relay.

The server is ``create_app`` under uvicorn with TLS (a certificate made here), on loopback; the
client posts through a relay that counts every TCP payload byte both ways. Figures: a new
connection (TLS 1.3 handshake, the request, the answer) and the same upload on a warm
connection. Collectors authenticate with an API key here; with mutual TLS the handshake also
carries the collector's certificate (about 0.5 kB more, once per connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Final

import httpx
import uvicorn
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from bench.measure import Json
from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage import schema
from printscout.storage.accounts import create_collector, ensure_site
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.support.certs import issue, make_ca

SERVER_HOST: Final = "127.115.11.1"
RELAY_HOST: Final = "127.115.11.2"


class _Counts:
    up = 0
    down = 0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, up: bool) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            if up:
                _Counts.up += len(data)
            else:
                _Counts.down += len(data)
            writer.write(data)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def _relay(target: tuple[str, int]) -> AsyncIterator[int]:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*target)
        await asyncio.gather(_pipe(client_r, server_w, True), _pipe(server_r, client_w, False))

    server = await asyncio.start_server(handle, RELAY_HOST, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


@contextlib.contextmanager
def _server(folder: Path) -> Iterator[tuple[int, str, str, ssl.SSLContext]]:
    """The real app under uvicorn with TLS; yields its port, a collector id and key, and the
    client's TLS context."""
    ca = make_ca("bench CA")
    leaf = issue(ca, "printscout.bench", ip=RELAY_HOST)
    (folder / "cert.pem").write_bytes(leaf.certificate.public_bytes(Encoding.PEM))
    (folder / "key.pem").write_bytes(
        leaf.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    db = Database(DatabaseConfig(sqlite_url(folder)))
    schema.METADATA.create_all(db.engine)
    with db.writer() as session:
        site = ensure_site(session, "Dealer", "Customer", "Site")
        collector, key = create_collector(session, site.id, "bench")
        public_id = str(collector.public_id)
    app = create_app(ServerSettings(data_dir=folder), database=db)
    sock = socket.create_server((SERVER_HOST, 0))
    config = uvicorn.Config(
        app, log_config=None, access_log=False,
        ssl_certfile=str(folder / "cert.pem"), ssl_keyfile=str(folder / "key.pem"),
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    context = ssl.create_default_context(cadata=ca.certificate.public_bytes(Encoding.PEM).decode())
    try:
        yield sock.getsockname()[1], public_id, key, context
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        db.dispose()


async def _post(client: httpx.AsyncClient, body: bytes) -> Json:
    before = (_Counts.up, _Counts.down)
    response = await client.post("/api/v1/ingest", content=body)
    response.raise_for_status()
    await asyncio.sleep(0.05)  # let the relay pass the last bytes on
    up, down = _Counts.up - before[0], _Counts.down - before[1]
    return {"tcp_total": up + down, "sent": up, "received": down}


async def measure_uploads(bodies: dict[str, Callable[[str], bytes]]) -> Json:
    """For each named upload (a zstd body for a collector id, a new batch each call): TCP bytes
    on a new connection and on a warm one."""
    out: Json = {}
    with tempfile.TemporaryDirectory() as tmp, _server(Path(tmp)) as (port, who, key, context):
        async with _relay((SERVER_HOST, port)) as relay_port:
            for name, make in bodies.items():
                headers = {
                    "Authorization": f"Bearer {key}", "Content-Encoding": "zstd",
                    "Content-Type": "application/json",
                }  # fmt: skip
                async with httpx.AsyncClient(
                    base_url=f"https://{RELAY_HOST}:{relay_port}", verify=context, headers=headers
                ) as client:
                    cold = await _post(client, make(who))
                    warm = await _post(client, make(who))
                out[name] = {"new_connection": cold, "warm_connection": warm}
    return out
