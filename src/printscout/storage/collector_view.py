"""Console queries for collectors: the ones a user sees, with their customer and site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Collector, Customer, Scope, Site


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
        .where(Customer.dealer_id == scope.dealer_id)
        .order_by(Customer.name, Site.name, Collector.name)
    )
    if scope.customer_ids is not None:
        query = query.where(Customer.id.in_(sorted(scope.customer_ids)))
    if public_id is not None:
        query = query.where(Collector.public_id == public_id)
    return [CollectorRow(*row) for row in session.execute(query)]
