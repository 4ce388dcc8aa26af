"""A valid body for every state-changing route, so a refusal is the guard's doing and not a
validation error's. A new unsafe route without an entry here fails ``test_routes``."""

from __future__ import annotations

from typing import Any, Final

from tests.security.routes import Route
from tests.security.world import Side
from tests.web.seed import PASSWORD

# Console forms (url-encoded); "{customer_id}" is filled from the side.
FORMS: Final[dict[str, dict[str, str]]] = {
    "POST /logout": {},
    "POST /account/password": {
        "password": PASSWORD,
        "new_password": "another long password",
        "repeat_password": "another long password",
    },
    "POST /account/language": {"language": "de"},
    "POST /alerts/{alert_id}/acknowledge": {},
    "POST /alerts/{alert_id}/close": {},
    "POST /collectors/{public_id}/revoke": {},
    "POST /collectors/sites/{site_id}/token": {},
    "POST /collectors/sites/{site_id}/schedule": {
        "discover_every_s": "3600",
        "poll_every_s": "300",
        "identity_every_s": "86400",
    },
    "POST /collectors/sites/{site_id}/ranges": {"targets": "127.93.0.9", "communities": "x"},
    "POST /collectors/sites/{site_id}/ranges/{range_id}/delete": {},
    "POST /collectors/{public_id}/command": {"kind": "poll"},
    "POST /users": {"email": "new@dealer.test", "role": "viewer", "customers": "{customer_id}"},
    "POST /users/{user_id}/disable": {},
    "POST /users/{user_id}/role": {"role": "operator"},
}
# API bodies (JSON); None: no body.
JSON: Final[dict[str, Any]] = {
    "POST /api/v1/alert-rules": {
        "name": "new rule",
        "kind": "supply_low",
        "customer_id": "{customer_id}",
        "threshold": 5,
    },
    "PATCH /api/v1/alert-rules/{rule_id}": {"name": "renamed rule"},
    "DELETE /api/v1/alert-rules/{rule_id}": None,
    "POST /api/v1/notification-channels": {
        "name": "new hook",
        "kind": "webhook",
        "target": "https://hooks.example/new",
    },
    "DELETE /api/v1/notification-channels/{channel_id}": None,
    "POST /api/v1/alerts/{alert_id}/acknowledge": None,
    "POST /api/v1/alerts/{alert_id}/close": None,
    "POST /api/v1/sites": {"customer_id": "{customer_id}", "name": "New site"},
    "PATCH /api/v1/sites/{site_id}": {"name": "Renamed site"},
    "DELETE /api/v1/sites/{site_id}": None,
    "POST /api/v1/bundles": None,
    "POST /api/v1/sites/{site_id}/enrolment-tokens": None,
    "PUT /api/v1/sites/{site_id}/schedule": {"discover_every_s": 3600, "poll_every_s": 300},
    "POST /api/v1/sites/{site_id}/ranges": {"targets": ["127.93.0.10"]},
    "DELETE /api/v1/sites/{site_id}/ranges/{range_id}": None,
    "POST /api/v1/collectors/{public_id}/revoke": None,
    "POST /api/v1/collectors/{public_id}/commands": {"kind": "poll"},
}


def _fill(value: Any, side: Side) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, side) for k, v in value.items()}
    if value == "{customer_id}":
        return side.ids["customer_id"]
    return value


def request_args(route: Route, side: Side, csrf: str | None) -> dict[str, Any]:
    """httpx keyword arguments of a valid request to ``route`` on ``side``'s objects; ``csrf``
    goes into the form (console) or the X-CSRF-Token header (API); None leaves it out."""
    if route.console:
        data = {k: str(v) for k, v in _fill(FORMS[route.name], side).items()}
        if csrf is not None:
            data["csrf"] = csrf
        return {"data": data}
    args: dict[str, Any] = {}
    body = _fill(JSON[route.name], side)
    if body is not None:
        args["json"] = body
    if csrf is not None:
        args["headers"] = {"X-CSRF-Token": csrf}
    return args
