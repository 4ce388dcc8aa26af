"""Browser-facing protections: security headers, HTTPS redirect, CSRF tokens, form bodies."""

from __future__ import annotations

import hmac
from typing import Final
from urllib.parse import parse_qs

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: pages load their code and styles from /static.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
MAX_FORM: Final = 64 * 1024
HSTS: Final = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """ASGI middleware adding CSP, frame denial and (over HTTPS) HSTS to every response."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if hsts:
            self.headers.append(HSTS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.headers]
            await send(message)

        await self.app(scope, receive, sending)


class RedirectToHttps:
    """The plain-HTTP listener's whole application: a permanent redirect to ``https_port``."""

    def __init__(self, https_port: int) -> None:
        self.port = https_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer every request with 308 to the same path over HTTPS."""
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"localhost").decode("latin-1")
        host = host[: host.index("]") + 1] if host.startswith("[") else host.split(":")[0]
        port = "" if self.port == 443 else f":{self.port}"
        query = scope.get("query_string", b"").decode("latin-1")
        target = f"https://{host}{port}{scope['path']}" + (f"?{query}" if query else "")
        await send(
            {
                "type": "http.response.start",
                "status": 308,
                "headers": [(b"location", target.encode()), HSTS, (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def form(request: Request) -> dict[str, list[str]]:
    """The URL-encoded body of a form post (bounded; no multipart needed)."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "form too large")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def field(data: dict[str, list[str]], name: str) -> str:
    """One form field ('' when absent)."""
    return data.get(name, [""])[0]


def check_csrf(expected: str, data: dict[str, list[str]]) -> None:
    """Refuse a form post without this session's CSRF token (403)."""
    if not expected or not hmac.compare_digest(expected, field(data, "csrf")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form expired; reload the page")
