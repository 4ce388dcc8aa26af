"""One seeded world for the security tests: customer A (Acme) and customer B (Globex) of one
dealer, each with a site, devices, a collector, a range, an alert rule and an open alert; the
console personas of tests/web/seed.py plus an admin scoped to A and a viewer of B; an API token
per persona. Built once per module and backend; the tests only read it or are refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from printscout.domain.control import RangeConfig, RangeCredentials
from printscout.server.alerts.rules import RuleKind
from printscout.server.collectors.service import CollectorService
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import Role, User, create_user
from printscout.storage.alerts import AlertRule
from printscout.storage.api_tokens import create_token
from printscout.storage.console import set_password_hash
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_channel, add_rule
from tests.storage.databases import add_collector
from tests.web.alert_seed import seed_alerts
from tests.web.seed import password_hash, seed_fleet

# Persona -> (role, customers: "A", "B" or None for every customer). The first three are
# tests/web/seed.py's; adam and gina are added here.
PERSONAS: Final = {
    "alice": (Role.ADMIN, None),
    "oscar": (Role.OPERATOR, "A"),
    "vera": (Role.VIEWER, "A"),
    "adam": (Role.ADMIN, "A"),
    "gina": (Role.VIEWER, "B"),
}
# Names only customer B's objects carry: a scoped user of A must never see them.
# The path parameters a side of the world has ids for.
ID_NAMES: Final = (
    "device_id", "site_id", "customer_id", "alert_id", "public_id", "range_id", "rule_id",
    "user_id", "channel_id", "kind", "fmt",
)  # fmt: skip
B_MARKERS: Final = ("Globex", "SER00002", "plant-01", "gina@dealer.test")


@dataclass(frozen=True, slots=True)
class Side:
    """The ids of one customer's objects, by the path parameter names that take them."""

    ids: dict[str, int | str]


@dataclass(frozen=True, slots=True)
class World:
    """What was seeded: each customer's object ids, personas' emails and API tokens."""

    a: Side
    b: Side
    dealer_id: int
    emails: dict[str, str]
    tokens: dict[str, str]
    collector_keys: dict[str, str]


def build_world(db: Database, settings: ServerSettings) -> World:
    """Seed the two customers and every persona on ``db``."""
    fleet = seed_fleet(db)
    acme_alert, globex_alert = seed_alerts(db, fleet)
    hq, hq_key = add_collector(db, "hq-01", "HQ", "Acme")
    plant, plant_key = add_collector(db, "plant-01", "Plant", "Globex")
    service = CollectorService(db, settings)
    ranges = {
        site: service.add_range(
            site,
            RangeConfig(
                targets=["127.93.0.0/30"],
                credentials=RangeCredentials(communities=["public"]),
            ),
        )
        for site in (fleet.acme_site_id, fleet.globex_site_id)
    }
    channel = add_channel(db, fleet.dealer_id, "webhook", "https://hooks.example/a")
    add_rule(db, fleet.dealer_id, RuleKind.SUPPLY_LOW, customer_id=fleet.acme_id, threshold=5)
    add_rule(db, fleet.dealer_id, RuleKind.SUPPLY_LOW, customer_id=fleet.globex_id, threshold=5)
    emails = dict(fleet.users)
    tokens: dict[str, str] = {}
    customers = {"A": fleet.acme_id, "B": fleet.globex_id}
    with db.writer() as session:
        for name in ("adam", "gina"):
            role, letter = PERSONAS[name]
            scope = None if letter is None else frozenset({customers[letter]})
            email = f"{name}@dealer.test"
            user = create_user(session, fleet.dealer_id, email, role, customer_ids=scope)
            set_password_hash(session, user.id, password_hash())
            emails[name] = email
        users = {e: i for e, i in session.execute(select(User.email, User.id))}
        for name, email in emails.items():
            tokens[name] = create_token(session, users[email], name=name)[1]
        rules = {c: i for c, i in session.execute(select(AlertRule.customer_id, AlertRule.id))}

    def side(letter: str) -> Side:
        acme = letter == "A"
        ids: dict[str, int | str] = {
            "device_id": fleet.acme_device if acme else fleet.globex_device,
            "site_id": fleet.acme_site_id if acme else fleet.globex_site_id,
            "customer_id": fleet.acme_id if acme else fleet.globex_id,
            "alert_id": acme_alert if acme else globex_alert,
            "public_id": str((hq if acme else plant).public_id),
            "range_id": ranges[fleet.acme_site_id if acme else fleet.globex_site_id],
            "rule_id": rules[fleet.acme_id if acme else fleet.globex_id],
            "user_id": users[emails["vera" if acme else "gina"]],
            # Channels belong to the dealer, not to a customer: the same on both sides.
            "channel_id": channel,
            "kind": "billing",
            "fmt": "csv",
        }
        assert set(ids) == set(ID_NAMES)
        return Side(ids)

    return World(
        side("A"), side("B"), fleet.dealer_id, emails, tokens, {"hq": hq_key, "plant": plant_key}
    )
