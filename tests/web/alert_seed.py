"""Alerts on the seeded fleet: one on Acme's hostile device (its message carries markup) and
one on Globex's device, from a critical device-error rule."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select

from printscout.server.alerts.engine import Subject
from printscout.server.alerts.rules import Finding, Place, RuleKind
from printscout.storage.alerts import AlertRecord
from printscout.storage.base import utcnow
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_rule, evaluate
from tests.web.seed import Fleet

HOSTILE_ALERT: Final = "<script>window.pwned=4</script>Paper jam in <b>tray 2</b>"


def seed_alerts(db: Database, fleet: Fleet) -> tuple[int, int]:
    """The ids of Acme's and Globex's open alerts."""
    rule = add_rule(db, fleet.dealer_id, RuleKind.DEVICE_ERROR, severity="critical")
    now = utcnow()
    places = (
        (fleet.acme_device, fleet.acme_id, fleet.acme_site_id, HOSTILE_ALERT),
        (fleet.globex_device, fleet.globex_id, fleet.globex_site_id, "Globex secret jam"),
    )
    for device, customer, site, message in places:
        place = Place(fleet.dealer_id, customer, site)
        subject = Subject(f"device:{device}", place, device_id=device)
        evaluate(db, rule, subject, [Finding("jammed", message)], now)
    with db.reader() as session:
        ids = {d: i for d, i in session.execute(select(AlertRecord.device_id, AlertRecord.id))}
    return ids[fleet.acme_device], ids[fleet.globex_device]
