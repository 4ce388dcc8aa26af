"""Integration API personas: one dealer with two customers, their fleets, users and tokens.

Acme (site HQ: printers 0-2, site Lab: printer 3) and Globex (site Plant: printers 10-11).
Personas: ``admin`` (every customer), ``acme_operator`` and ``acme_viewer`` (Acme only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from printscout.storage.accounts import CollectorRecord, Role, create_user
from printscout.storage.api_tokens import create_token
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import fleet_batch

BASE = "http://printscout.test"


@dataclass(frozen=True)
class Fleet:
    """What the ``fleet`` fixture made: customer and site ids, collectors, tokens by persona."""

    acme: int
    globex: int
    sites: dict[str, int]
    collectors: dict[str, CollectorRecord]
    tokens: dict[str, str]
    polled_at: datetime


def poll_time() -> datetime:
    """A recent poll time (devices read then count as up)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)


def _ingest(db: Database, collector: CollectorRecord, devices: range, at: datetime) -> None:
    for minutes, total in ((-30, 10_000), (0, 10_120)):
        batch = fleet_batch(str(collector.public_id), devices, at + timedelta(minutes=minutes),
                            total=total)  # fmt: skip
        store_batch(db, collector, batch, IngestRules())


def build_fleet(db: Database) -> Fleet:
    """Two customers of one dealer, with devices, users and a token per persona."""
    hq, _ = add_collector(db, "hq-01", "HQ", "Acme")
    lab, _ = add_collector(db, "lab-01", "Lab", "Acme")
    plant, _ = add_collector(db, "plant-01", "Plant", "Globex")
    at = poll_time()
    _ingest(db, hq, range(3), at)
    _ingest(db, lab, range(3, 4), at)
    _ingest(db, plant, range(10, 12), at)
    tokens: dict[str, str] = {}
    with db.writer() as session:
        acme = hq.customer_id
        globex = plant.customer_id
        people = {
            "admin": (Role.ADMIN, None),
            "acme_operator": (Role.OPERATOR, frozenset({acme})),
            "acme_viewer": (Role.VIEWER, frozenset({acme})),
        }
        for persona, (role, customers) in people.items():
            user = create_user(
                session, hq.dealer_id, f"{persona}@dealer.test", role, customer_ids=customers
            )
            tokens[persona] = create_token(session, user.id, name=persona)[1]
    return Fleet(
        acme=acme,
        globex=globex,
        sites={"HQ": hq.site_id, "Lab": lab.site_id, "Plant": plant.site_id},
        collectors={"hq": hq, "lab": lab, "plant": plant},
        tokens=tokens,
        polled_at=at,
    )


ClientFor = Callable[[str | None], httpx.AsyncClient]
