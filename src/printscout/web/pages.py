"""Rendering a console page in the user's language, and the answers shared by every page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from printscout.storage.console import ConsoleLogin
from printscout.web.sessions import console, language_of


def render(
    request: Request,
    login: ConsoleLogin | None,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The template rendered for this user (autoescaped: printer strings stay text)."""
    shared = console(request)
    language = language_of(request, login)
    page = shared.environments[language].get_template(template)
    html = page.render(login=login, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})


def is_htmx(request: Request) -> bool:
    """Whether HTMX asked for a fragment rather than a page."""
    return request.headers.get("hx-request") == "true"
