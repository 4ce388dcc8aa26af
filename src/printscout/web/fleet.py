"""The fleet dashboard: counts by state, lowest supplies, devices in trouble, filtered list."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from printscout.storage import dashboard
from printscout.storage.base import utcnow
from printscout.web.pages import is_htmx, render
from printscout.web.sessions import Shared, SignedIn

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Query:
    """The dashboard's query string, checked (bad numbers are ignored, not errors)."""

    flt: dashboard.FleetFilter
    after: int | None


def _text(value: str, limit: int) -> str:
    """Search text as a database can compare it: NUL dropped (PostgreSQL refuses it)."""
    return value.replace("\x00", "")[:limit]


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def parse_query(request: Request) -> Query:
    """The filter and page asked for in the URL."""
    args = request.query_params
    state = args.get("state", "")
    flt = dashboard.FleetFilter(
        q=_text(args.get("q", ""), 100),
        customer_id=_number(args.get("customer")),
        site_id=_number(args.get("site")),
        model=_text(args.get("model", ""), 200),
        state=state if state in dashboard.STATES else "",
    )
    return Query(flt, _number(args.get("after")))


@router.get("/")
def dashboard_page(request: Request, login: SignedIn, shared: Shared) -> Response:
    """The dashboard (or, for an HTMX request, just the refreshed device table)."""
    query = parse_query(request)
    now = utcnow()
    with shared.db.reader() as session:
        rows, after = dashboard.fleet_page(session, login.scope, query.flt, now, query.after)
        if is_htmx(request):
            return render(request, login, "fleet/_rows.html", rows=rows, after=after, flt=query.flt)
        # One pass over the filtered fleet gives the counts and the troubled devices.
        states = dashboard.device_states(session, login.scope, query.flt, now)
        troubled, silent = (
            dashboard.fleet_page(
                session, login.scope, dashboard.FleetFilter(), now,
                ids=dashboard.first_in_state(states, state),
            )[0]
            for state in ("error", "silent")
        )  # fmt: skip
        counts = dashboard.state_counts(states)
        lowest = dashboard.lowest_supplies(session, login.scope)
        choices = dashboard.choices(session, login.scope)
    return render(
        request, login, "fleet/dashboard.html",
        rows=rows, after=after, flt=query.flt, counts=counts, troubled=troubled,
        silent=silent, lowest=lowest, choices=choices, states=dashboard.STATES,
    )  # fmt: skip
