"""Every route of the application, read from the app itself and classified by its guard, so a
new route is covered by the security tests, or fails them until it is classified here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from fastapi import FastAPI, routing
from fastapi.routing import APIRoute

from tests.security.world import Side


class Guard(StrEnum):
    """Who a route lets in."""

    PUBLIC = "public"  # anyone (login form, health, enrolment with its one-time token)
    COLLECTOR = "collector"  # a collector's key or certificate: tested in test_collector_tls.py
    SIGNED_IN = "signed_in"  # console: any signed-in user
    WRITER = "writer"  # console: admin or operator
    ADMIN = "admin"  # console: admin
    SCOPE = "scope"  # console session or API token: any role
    WRITABLE = "writable"  # console session or API token: admin or operator


# Dependency function name -> guard; a route whose dependencies name none of these is public
# only if listed in PUBLIC_ROUTES, else the classification test fails.
GUARDS: Final = {
    "current_collector": Guard.COLLECTOR,
    "admin": Guard.ADMIN,
    "writer": Guard.WRITER,
    "signed_in": Guard.SIGNED_IN,
    "writable_scope": Guard.WRITABLE,
    "current_scope": Guard.SCOPE,
}
PUBLIC_ROUTES: Final = {
    "GET /healthz",
    "GET /readyz",
    "GET /login",
    "POST /login",
    "GET /api/v1/enrol/ca",
    "POST /api/v1/enrol",
}
UNSAFE: Final = ("POST", "PUT", "PATCH", "DELETE")
PARAM: Final = re.compile(r"{(\w+)}")


@dataclass(frozen=True, slots=True)
class Route:
    """One method of one path, with its guard and declared query parameters."""

    method: str
    path: str
    guard: Guard | None
    query: tuple[str, ...]
    console: bool  # a console page (not in the OpenAPI document)

    @property
    def name(self) -> str:
        """``METHOD /path``."""
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        """The path parameters."""
        return PARAM.findall(self.path)

    @property
    def unsafe(self) -> bool:
        """Whether the method changes state."""
        return self.method in UNSAFE

    def url(self, side: Side, **given: str) -> str:
        """The path with ``side``'s object ids filled in, or the text ``given`` for a parameter
        (KeyError: an unknown parameter)."""

        def value(found: re.Match[str]) -> str:
            name = found.group(1)
            return given[name] if name in given else str(side.ids[name])

        return PARAM.sub(value, self.path)


def _names(dependant: object) -> set[str]:
    found = set()
    for sub in getattr(dependant, "dependencies", []):
        found.add(getattr(sub.call, "__name__", ""))
        found |= _names(sub)
    return found


def app_routes(app: FastAPI) -> list[Route]:
    """Every HTTP route of the application, one per method (HEAD left out)."""
    found = []
    for context in routing.iter_route_contexts(app.routes):
        original = context.original_route
        if not isinstance(original, APIRoute):
            continue
        effective = getattr(context, "_route_context", None)
        dependant = getattr(effective, "dependant", None) or original.dependant
        names = _names(dependant)
        guard = next((g for name, g in GUARDS.items() if name in names), None)
        query = tuple(p.name for p in dependant.query_params)
        path = str(context.path)
        for method in sorted((context.methods or set()) - {"HEAD"}):
            route = Route(method, path, guard, query, not original.include_in_schema)
            if guard is None and route.name in PUBLIC_ROUTES:
                route = Route(method, path, Guard.PUBLIC, query, route.console)
            found.append(route)
    return found


def guarded(app: FastAPI) -> list[Route]:
    """The routes a console user or API token reaches (not public, not the collectors')."""
    return [r for r in app_routes(app) if r.guard not in (Guard.PUBLIC, Guard.COLLECTOR, None)]
