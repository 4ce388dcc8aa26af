"""GET /metrics: the fleet in the Prometheus exposition format, read from the database per scrape.

Nothing is kept in a process-global registry: each scrape builds a ``CollectorRegistry`` holding
one ``FleetCollector`` for the caller's scope, so any number of server processes answer alike
and a token of one customer never sees another's devices.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from fastapi import Request, Response
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from printscout.domain.reading import SupplyState
from printscout.server.api.common import feature_router
from printscout.server.api.queries import within
from printscout.server.scope import CurrentScope
from printscout.storage.accounts import Collector, Customer, Scope, Site
from printscout.storage.base import utcnow
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import COUNTER_COLUMNS, ReadingRecord
from printscout.storage.session import Database

router = feature_router("metrics")

DEVICE_LABELS: Final = ("device", "serial", "site", "customer")
DEVICE_STATES: Final = ("unknown", "running", "warning", "testing", "down")
SUPPLY_STATES: Final = tuple(s.value for s in SupplyState)
COLLECTOR_LABELS: Final = ("collector", "collector_id", "site", "customer")


@dataclass(frozen=True, slots=True)
class FleetCollector:
    """A prometheus_client collector that reads the scope's fleet when collected."""

    db: Database
    scope: Scope
    now: datetime
    stale: timedelta

    def collect(self) -> Iterator[Metric]:
        """The metric families of the devices, supplies and collectors in scope."""
        with self.db.reader() as session:
            yield from self._devices(session)
            yield from self._supplies(session)
            yield from self._collectors(session)

    def _devices(self, session: Session) -> Iterator[Metric]:
        newest = (
            select(func.max(ReadingRecord.observed_at))
            .where(ReadingRecord.device_id == Device.id)
            .correlate(Device)
            .scalar_subquery()
        )
        query = within(
            select(
                Device.id,
                Device.serial,
                Site.name,
                Customer.name,
                Device.manufacturer,
                Device.model,
                Device.last_seen_at,
                ReadingRecord.device_status,
                *(getattr(ReadingRecord, c) for c in COUNTER_COLUMNS),
            )
            .join(Site, Site.id == Device.site_id)
            .join(Customer, Customer.id == Site.customer_id)
            .outerjoin(
                ReadingRecord,
                (ReadingRecord.device_id == Device.id) & (ReadingRecord.observed_at == newest),
            ),
            self.scope,
        ).order_by(Device.id)
        families = _device_families()
        for row in session.execute(query):
            self._add_device(families, row)
        yield from families.values()

    def _add_device(self, families: dict[str, Any], row: Any) -> None:
        device_id, serial, site, customer, maker, model, seen, status, *counters = row
        labels = [str(device_id), serial or "", site, customer]
        families["info"].add_metric([*labels, maker or "", model or ""], 1)
        families["up"].add_metric(labels, 1 if seen >= self.now - self.stale else 0)
        families["seen"].add_metric(labels, seen.timestamp())
        current = status if status in DEVICE_STATES else "unknown"
        for state in DEVICE_STATES:
            families["status"].add_metric([*labels, state], 1 if state == current else 0)
        for name, value in zip(COUNTER_COLUMNS, counters, strict=True):
            if value is not None:
                families["pages"].add_metric([*labels, name.removeprefix("counter_")], value)

    def _supplies(self, session: Session) -> Iterator[Metric]:
        query = within(
            select(
                Device.id,
                Device.serial,
                Site.name,
                Customer.name,
                DeviceSupply.supply_index,
                DeviceSupply.description,
                DeviceSupply.kind,
                DeviceSupply.color,
                DeviceSupply.level_percent,
                DeviceSupply.state,
            )
            .join(Device, Device.id == DeviceSupply.device_id)
            .join(Site, Site.id == Device.site_id)
            .join(Customer, Customer.id == Site.customer_id),
            self.scope,
        ).order_by(Device.id, DeviceSupply.supply_index)
        names = ("supply", "index", "kind", "colour")
        level = GaugeMetricFamily(
            "printscout_supply_level_percent",
            "Supply level in percent of capacity (receptacles: share still free)",
            labels=[*DEVICE_LABELS, *names],
        )
        state = GaugeMetricFamily(
            "printscout_supply_state",
            "1 for the supply's current state, 0 for the others",
            labels=[*DEVICE_LABELS, *names, "state"],
        )
        for row in session.execute(query):
            device_id, serial, site, customer, index, description, kind, colour, pct, now = row
            labels = [str(device_id), serial or "", site, customer]
            labels += [description or kind, str(index), kind, colour or ""]
            if pct is not None:
                level.add_metric(labels, pct)
            for name in SUPPLY_STATES:
                state.add_metric([*labels, name], 1 if name == now else 0)
        yield level
        yield state

    def _collectors(self, session: Session) -> Iterator[Metric]:
        query = within(
            select(
                Collector.name,
                Collector.public_id,
                Site.name,
                Customer.name,
                Collector.last_seen_at,
                select(func.count(Device.id))
                .where(Device.collector_id == Collector.id)
                .correlate(Collector)
                .scalar_subquery(),
            )
            .join(Site, Site.id == Collector.site_id)
            .join(Customer, Customer.id == Site.customer_id)
            .where(Collector.revoked_at.is_(None)),
            self.scope,
        ).order_by(Collector.id)
        up, seen, devices = _collector_families()
        for name, public_id, site, customer, last, count in session.execute(query):
            labels = [name, str(public_id), site, customer]
            up.add_metric(labels, 1 if last is not None and last >= self.now - self.stale else 0)
            if last is not None:
                seen.add_metric(labels, last.timestamp())
            devices.add_metric(labels, count)
        yield up
        yield seen
        yield devices


def _collector_families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    up = GaugeMetricFamily(
        "printscout_collector_up",
        "1 when the collector uploaded within the stale window",
        labels=COLLECTOR_LABELS,
    )
    seen = GaugeMetricFamily(
        "printscout_collector_last_seen_timestamp_seconds",
        "When the collector last uploaded (Unix time); absent if it never did",
        labels=COLLECTOR_LABELS,
    )
    devices = GaugeMetricFamily(
        "printscout_collector_devices",
        "Devices whose newest reading came through the collector",
        labels=COLLECTOR_LABELS,
    )
    return up, seen, devices


def _device_families() -> dict[str, Any]:
    labels = list(DEVICE_LABELS)
    return {
        "info": GaugeMetricFamily(
            "printscout_device_info",
            "Always 1; the device's manufacturer and model as labels",
            labels=[*labels, "manufacturer", "model"],
        ),
        "up": GaugeMetricFamily(
            "printscout_device_up",
            "1 when the device was read within the stale window",
            labels=labels,
        ),
        "seen": GaugeMetricFamily(
            "printscout_device_last_seen_timestamp_seconds",
            "When the device was last read (Unix time)",
            labels=labels,
        ),
        "status": GaugeMetricFamily(
            "printscout_device_status",
            "1 for the device's newest hrDeviceStatus, 0 for the others",
            labels=[*labels, "state"],
        ),
        "pages": CounterMetricFamily(
            "printscout_device_pages",
            "Page counters of the newest reading",
            labels=[*labels, "counter"],
        ),
    }


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def get_metrics(request: Request, scope: CurrentScope) -> Response:
    """The fleet you may see as Prometheus metrics (OpenMetrics when the scraper asks for it)."""
    settings = request.app.state.settings.api
    registry = CollectorRegistry()
    stale = timedelta(seconds=settings.stale_after_s)
    registry.register(FleetCollector(request.app.state.db, scope, utcnow(), stale))
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    body = encode(registry)
    if "gzip" in request.headers.get("accept-encoding", ""):
        # Prometheus asks for gzip; the text is label-heavy (about 6 KB a device) and shrinks >10x.
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(gzip.compress(body, 6), media_type=content_type, headers=headers)
    return Response(body, media_type=content_type)
