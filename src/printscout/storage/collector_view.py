"""Console queries for collectors: the ones a user sees, with their customer and site, and
what they did lately (commands and the events they reported)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Collector, Customer, Scope, Site
from printscout.storage.collectors import CollectorCommand, CollectorEvent

ACTIVITY_ROWS: Final = 30
Logged = TypeVar("Logged", CollectorCommand, CollectorEvent)
DETAIL_CHARS: Final = 300


@dataclass(frozen=True, slots=True)
class CollectorRow:
    """One collector as the console lists it."""

    public_id: UUID
    name: str
    customer: str
    site: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def collectors_in_scope(
    session: Session, scope: Scope, public_id: UUID | None = None
) -> list[CollectorRow]:
    """The collectors of the sites a user sees (or just ``public_id``), by customer and site."""
    query = (
        select(
            Collector.public_id,
            Collector.name,
            Customer.name,
            Site.name,
            Collector.created_at,
            Collector.last_seen_at,
            Collector.revoked_at,
        )
        .join(Site, Site.id == Collector.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(_visible(scope))
        .order_by(Customer.name, Site.name, Collector.name)
    )
    if public_id is not None:
        query = query.where(Collector.public_id == public_id)
    return [CollectorRow(*row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """A command given to a collector, or an event it reported (a refused update, say)."""

    at: datetime
    collector: str
    kind: str  # "command" or "event"
    what: str  # the command's or the event's kind
    state: str  # queued, delivered or done for a command; reported for an event
    detail: str  # the result or the event's detail as text, cut at DETAIL_CHARS


def recent_activity(
    session: Session, scope: Scope, limit: int = ACTIVITY_ROWS
) -> list[ActivityRow]:
    """The newest commands and events of the collectors a user sees, newest first."""
    rows = [
        ActivityRow(c.created_at, name, "command", c.kind, _state(c), _text(c.result))
        for c, name in session.execute(_newest(CollectorCommand, scope, limit))
    ]
    rows += [
        ActivityRow(e.at, name, "event", e.kind, "reported", _text(e.detail))
        for e, name in session.execute(_newest(CollectorEvent, scope, limit))
    ]
    return sorted(rows, key=lambda r: r.at, reverse=True)[:limit]


def _newest(model: type[Logged], scope: Scope, limit: int) -> Select[Logged, str]:
    """The newest rows of ``model`` for the collectors in scope, with the collector's name."""
    return (
        select(model, Collector.name)
        .join(Collector, Collector.id == model.collector_id)
        .join(Site, Site.id == Collector.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(_visible(scope))
        .order_by(model.id.desc())
        .limit(limit)
    )


def _visible(scope: Scope) -> ColumnElement[bool]:
    """Customers of the user's dealer, and of their customers if they are limited to some."""
    clause = Customer.dealer_id == scope.dealer_id
    if scope.customer_ids is not None:
        clause = and_(clause, Customer.id.in_(sorted(scope.customer_ids)))
    return clause


def _state(command: CollectorCommand) -> str:
    if command.done_at is not None:
        return "done"
    return "delivered" if command.delivered_at is not None else "queued"


def _text(detail: dict[str, Any] | None) -> str:
    """A collector's JSON detail as one line of ``key: value`` pairs (shown escaped)."""
    if not detail:
        return ""
    text = "; ".join(f"{k}: {v}" for k, v in detail.items())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"
