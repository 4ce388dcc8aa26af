"""A small fleet for console tests: two customers, hostile printer strings, a history of readings.

Personas (healthchecks-style): alice is the dealer's admin, oscar an operator and vera a viewer,
both of customer Acme only. Globex's device is what vera must never see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Final

from printscout.storage.accounts import Customer, Dealer, Role, Site, create_user
from printscout.storage.base import utcnow
from printscout.storage.console import set_password_hash
from printscout.storage.fleet import Device, DeviceAddress, DeviceSupply, SupplyEvent
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database
from printscout.web.passwords import hash_password

PASSWORD: Final = "correct horse battery"
HOSTILE_NAME: Final = "<script>window.pwned=1</script>PRN-EVIL"
HOSTILE_LOCATION: Final = '<img src=x onerror="window.pwned=2">Floor 2'
HOSTILE_SUPPLY: Final = "<b onmouseover=alert(3)>Black Toner</b>"
HISTORY: Final = 48  # readings, one an hour


@dataclass(frozen=True, slots=True)
class Fleet:
    """Ids of what was seeded."""

    dealer_id: int
    acme_id: int
    globex_id: int
    acme_site_id: int
    globex_site_id: int
    acme_device: int
    globex_device: int
    silent_device: int
    error_device: int
    users: dict[str, str]  # persona -> email


def _device(site: Site, dealer: Dealer, n: int, seen: datetime, **extra: object) -> Device:
    values: dict[str, object] = {
        "dealer_id": dealer.id, "site_id": site.id, "serial": f"SER{n:05d}",
        "mac": f"02:00:00:00:{n >> 8:02x}:{n & 255:02x}", "address": f"10.0.{n >> 8}.{n & 255}",
        "kind": "printer", "manufacturer": "HP", "model": "LaserJet M555",
        "first_seen_at": seen - timedelta(days=30), "last_seen_at": seen,
    }  # fmt: skip
    values.update(extra)
    return Device(**values)


def _reading(device: Device, at: datetime, hour: int, status: str = "running") -> ReadingRecord:
    level = 90 - hour
    return ReadingRecord(
        device_id=device.id, observed_at=at, device_status=status, printer_status="idle",
        errors=["lowToner"] if status == "warning" else [], display=["Ready", "<i>Tray 2</i>"],
        alerts=[], trays=[], counter_total=10_000 + 25 * hour, counter_mono=10_000 + 25 * hour,
        supplies=[{"index": 1, "level_percent": level, "state": "ok"}],
    )  # fmt: skip


def seed_fleet(db: Database) -> Fleet:
    """Customers Acme and Globex, four devices, 48 hourly readings of Acme's first device."""
    now = utcnow().replace(microsecond=0)
    with db.writer() as s:
        dealer = Dealer(name="Dealer")
        s.add(dealer)
        s.flush()
        acme, globex = (
            Customer(dealer_id=dealer.id, name="Acme"),
            Customer(dealer_id=dealer.id, name="Globex"),
        )
        s.add_all([acme, globex])
        s.flush()
        hq, plant = Site(customer_id=acme.id, name="HQ"), Site(customer_id=globex.id, name="Plant")
        s.add_all([hq, plant])
        s.flush()
        evil = _device(hq, dealer, 1, now, hostname=HOSTILE_NAME, location=HOSTILE_LOCATION)
        other = _device(plant, dealer, 2, now, model="Globex Secret 9000", location="Globex HQ")
        silent = _device(hq, dealer, 3, now - timedelta(days=3), model="Silent Printer")
        broken = _device(hq, dealer, 4, now, model="Broken Printer")
        s.add_all([evil, other, silent, broken])
        s.flush()
        s.add_all(
            [_reading(evil, now - timedelta(hours=HISTORY - 1 - h), h) for h in range(HISTORY)]
        )
        s.add_all([_reading(d, d.last_seen_at, 0) for d in (other, silent)])
        s.add(_reading(broken, now, 0, status="down"))
        s.add(
            DeviceAddress(device_id=evil.id, address=evil.address, since=now - timedelta(days=30))
        )
        s.add_all(
            [
                DeviceSupply(
                    device_id=d.id,
                    supply_index=1,
                    kind="toner",
                    color="black",
                    description=HOSTILE_SUPPLY,
                    level_percent=pct,
                    state=state,
                    first_seen_at=now,
                    changed_at=now,
                )
                for d, pct, state in (
                    (evil, 90 - HISTORY + 1, "ok"),
                    (broken, 3, "low"),
                    (other, 1, "empty"),
                )
            ]
        )
        s.flush()
        supply_id = s.query(DeviceSupply.id).filter(DeviceSupply.device_id == evil.id).scalar()
        s.add(
            SupplyEvent(
                supply_id=supply_id,
                device_id=evil.id,
                observed_at=now - timedelta(days=10),
                kind="replaced",
                old_level_percent=2,
                new_level_percent=100,
                page_count=9000,
            )
        )
        users = _personas(s, dealer.id, acme.id)
        fleet = Fleet(
            dealer.id, acme.id, globex.id, hq.id, plant.id, evil.id, other.id, silent.id,
            broken.id, users,
        )  # fmt: skip
    return fleet


@cache
def password_hash() -> str:
    """The argon2 hash of PASSWORD, made once per test run (argon2 is slow on purpose)."""
    return hash_password(PASSWORD)


def _personas(s: object, dealer_id: int, acme_id: int) -> dict[str, str]:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    people = {
        "alice": (Role.ADMIN, None),
        "oscar": (Role.OPERATOR, frozenset({acme_id})),
        "vera": (Role.VIEWER, frozenset({acme_id})),
    }
    emails = {}
    for name, (role, customers) in people.items():
        email = f"{name}@dealer.test"
        user = create_user(s, dealer_id, email, role, name=name.title(), customer_ids=customers)
        set_password_hash(s, user.id, password_hash())
        emails[name] = email
    return emails
