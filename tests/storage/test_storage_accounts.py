"""Accounts, collectors and the personas admin, operator and viewer with their scopes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from printscout.storage.accounts import (
    Collector,
    CollectorRecord,
    Role,
    Scope,
    collector_by_key,
    collector_by_public_id,
    create_user,
    revoke_collector,
    user_scope,
)
from printscout.storage.errors import NotFound
from printscout.storage.fleet import devices_in_scope, low_supplies
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import T0, fleet_batch


def personas(db: Database, acme: CollectorRecord, beta: CollectorRecord) -> dict[str, Scope]:
    """admin sees the whole dealer; operator only Acme; viewer only Beta."""
    with db.writer() as session:
        admin = create_user(session, acme.dealer_id, "Admin@Dealer.example", Role.ADMIN)
        operator = create_user(
            session, acme.dealer_id, "operator@dealer.example", Role.OPERATOR,
            customer_ids=frozenset({acme.customer_id}),
        )  # fmt: skip
        viewer = create_user(
            session, acme.dealer_id, "viewer@dealer.example", Role.VIEWER,
            customer_ids=frozenset({beta.customer_id}),
        )  # fmt: skip
        ids = {"admin": admin.id, "operator": operator.id, "viewer": viewer.id}
    with db.reader() as session:
        return {name: user_scope(session, uid) for name, uid in ids.items()}


@pytest.fixture
def fleet(db: Database, collector: CollectorRecord) -> tuple[CollectorRecord, CollectorRecord]:
    """Acme (3 printers, one low on cyan) and Beta (2 printers) of the same dealer."""
    beta, _ = add_collector(db, name="beta-01", customer="Beta")
    rules, now = IngestRules(raw_days=30), T0 + timedelta(hours=1)
    store_batch(db, collector, fleet_batch(str(collector.public_id), range(2), T0), rules, now)
    low = fleet_batch(str(collector.public_id), range(2, 3), T0, levels=(50, 4, 50, 50))
    store_batch(db, collector, low, rules, now)
    store_batch(db, beta, fleet_batch(str(beta.public_id), range(10, 12), T0), rules, now)
    return collector, beta


def test_it_gives_each_persona_its_scope_and_rights(
    db: Database, fleet: tuple[CollectorRecord, CollectorRecord]
) -> None:
    acme, beta = fleet
    scopes = personas(db, acme, beta)
    assert {n: s.can_write for n, s in scopes.items()} == {
        "admin": True, "operator": True, "viewer": False
    }  # fmt: skip
    assert scopes["admin"].customer_ids is None
    assert scopes["operator"].sees_customer(acme.customer_id)
    assert not scopes["operator"].sees_customer(beta.customer_id)
    with db.reader() as session:
        seen = {n: len(devices_in_scope(session, s)) for n, s in scopes.items()}
    assert seen == {"admin": 5, "operator": 3, "viewer": 2}


def test_it_lists_low_supplies_within_the_scope(
    db: Database, fleet: tuple[CollectorRecord, CollectorRecord]
) -> None:
    acme, beta = fleet
    scopes = personas(db, acme, beta)
    with db.reader() as session:
        (low,) = low_supplies(session, scopes["operator"])
        assert (low.color, low.level_percent, low.state) == ("cyan", 4, "low")
        assert low_supplies(session, scopes["viewer"]) == []
        by_site = devices_in_scope(session, scopes["admin"], site_id=beta.site_id)
    assert {d.serial for d in by_site} == {"PSHP000010", "PSHP000011"}


def test_it_stores_only_a_hash_of_the_collector_key(db: Database) -> None:
    record, key = add_collector(db)
    with db.reader() as session:
        stored = session.scalars(select(Collector.api_key_hash)).one()
        assert stored is not None and key not in stored and len(stored) == 64
        assert collector_by_key(session, key) == record
        assert collector_by_key(session, key + "x") is None


def test_it_refuses_a_revoked_collector(db: Database, collector: CollectorRecord) -> None:
    with db.writer() as session:
        revoke_collector(session, collector.public_id)
    with db.reader() as session:
        assert collector_by_public_id(session, collector.public_id) is None
    with pytest.raises(NotFound), db.writer() as session:
        revoke_collector(session, collector.public_id)


def test_it_refuses_the_scope_of_a_disabled_user(db: Database, collector: CollectorRecord) -> None:
    with db.writer() as session:
        user = create_user(session, collector.dealer_id, "viewer@dealer.example", Role.VIEWER)
        user.disabled_at = T0
        uid = user.id
    with pytest.raises(NotFound), db.reader() as session:
        user_scope(session, uid)
