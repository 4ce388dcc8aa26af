"""HTTPS for the console: uvicorn's TLS options and the plain-HTTP listener that redirects."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

from printscout.server.errors import ConfigError
from printscout.server.settings import ServerSettings
from printscout.web.security import RedirectToHttps


def tls_options(settings: ServerSettings) -> dict[str, Any]:
    """uvicorn.Config keywords serving TLS with the configured certificate (or none)."""
    console = settings.console
    if console.tls_cert_file is None:
        return {}
    if console.tls_key_file is None:
        raise ConfigError("console.tls_cert_file is set but console.tls_key_file is not")
    for path in (console.tls_cert_file, console.tls_key_file):
        if not path.is_file():
            raise ConfigError(f"no such file: {path}")
    return {"ssl_certfile": str(console.tls_cert_file), "ssl_keyfile": str(console.tls_key_file)}


def start_redirect(settings: ServerSettings, host: str, https_port: int) -> Callable[[], None]:
    """With TLS and ``console.redirect_port``: redirect plain HTTP there to HTTPS, in a thread.

    Returns the function that stops it (a no-op when nothing was started).
    """
    port = settings.console.redirect_port
    if not settings.console.tls or port is None:
        return lambda: None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)
    config = uvicorn.Config(
        RedirectToHttps(https_port), log_config=None, access_log=False, server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="https-redirect", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()

    return stop
