"""Webhook notifications received by a real HTTP server: signed JSON, retries with
exponential backoff, a permanent refusal, and the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import ip_network
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from printscout.server.alerts.notify.dispatch import DispatchConfig, Dispatcher
from printscout.server.alerts.notify.webhook import verify
from printscout.server.alerts.rules import Finding, RuleKind
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import Delivery, DeliveryAttempt
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import (
    SECRET,
    add_channel,
    add_rule,
    collector_subject,
    evaluate,
)
from tests.server.alerts.http_receiver import Receiver, receiver

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
BACKOFF = timedelta(seconds=30)
LOOPBACK = (ip_network("127.0.0.0/8"),)  # the test receivers; refused by default (see below)


def loopback_config(**given: Any) -> DispatchConfig:
    return DispatchConfig(webhook_allowed_networks=LOOPBACK, **given)


def silent(minutes: int) -> Finding:
    return Finding("silent", f"collector hq-01: silent for {minutes} minutes", float(minutes))


def open_alert(db: Database, collector: CollectorRecord, url: str) -> None:
    channel = add_channel(db, collector.dealer_id, "webhook", url)
    rule = add_rule(db, collector.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel])
    evaluate(db, rule, collector_subject(collector), [silent(45)], NOW)


def log_of(db: Database) -> tuple[list[Delivery], list[DeliveryAttempt]]:
    with db.reader() as session:
        deliveries = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        attempts = list(session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
    return deliveries, attempts


def check_signed(hook: Receiver) -> None:
    for request in hook.requests:
        stamp = int(request.headers["x-printscout-timestamp"])
        signature = request.headers["x-printscout-signature"]
        assert verify(SECRET, stamp, request.body, signature)
        assert not verify("another-secret-0000", stamp, request.body, signature)


async def test_it_posts_a_signed_json_notice(db: Database, collector: CollectorRecord) -> None:
    async with receiver() as hook:
        open_alert(db, collector, hook.url)
        sent = await Dispatcher(db, loopback_config()).run_once(NOW)
    assert sent == 1
    (request,) = hook.requests
    check_signed(hook)
    notice = orjson.loads(request.body)
    assert (notice["event"], notice["rule"]["kind"]) == ("opened", "collector_silent")
    assert notice["alert"]["message"] == "collector hq-01: silent for 45 minutes"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-printscout-event"] == "opened"
    (delivery,), (attempt,) = log_of(db)
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert (attempt.ok, attempt.status_code) == (True, 200)


async def test_it_retries_with_exponential_backoff_until_delivered(
    db: Database, collector: CollectorRecord
) -> None:
    dispatcher = Dispatcher(db, loopback_config(backoff=BACKOFF))
    async with receiver() as hook:
        hook.statuses = [500, 503]
        open_alert(db, collector, hook.url)
        assert await dispatcher.run_once(NOW) == 1
        (delivery,), _ = log_of(db)
        assert delivery.next_attempt_at == NOW + BACKOFF
        assert await dispatcher.run_once(NOW + BACKOFF - timedelta(seconds=1)) == 0
        assert await dispatcher.run_once(NOW + BACKOFF) == 1
        (delivery,), _ = log_of(db)
        assert delivery.next_attempt_at == NOW + BACKOFF + 2 * BACKOFF
        assert await dispatcher.run_once(NOW + 3 * BACKOFF) == 1
    (delivery,), attempts = log_of(db)
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    assert [(a.ok, a.status_code) for a in attempts] == [(False, 500), (False, 503), (True, 200)]
    assert len({r.headers["x-printscout-delivery"] for r in hook.requests}) == 1
    assert len({r.body for r in hook.requests}) == 1
    check_signed(hook)


async def test_it_gives_up_on_a_permanent_refusal_and_after_the_last_attempt(
    db: Database, collector: CollectorRecord
) -> None:
    dispatcher = Dispatcher(db, loopback_config(backoff=BACKOFF, max_attempts=2))
    async with receiver() as hook:
        hook.statuses = [410]
        open_alert(db, collector, hook.url)
        await dispatcher.run_once(NOW)
        (gone,), _ = log_of(db)
        assert (gone.state, gone.attempts) == ("failed", 1)
    # Nobody listens on the URL any more: a connection error is retried, then given up.
    with db.writer() as session:
        session.get_one(Delivery, gone.id).state = "pending"
    await dispatcher.run_once(NOW + timedelta(hours=1))
    (delivery,), attempts = log_of(db)
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert attempts[-1].status_code is None
    assert "Connect" in (attempts[-1].error or "")
    assert await dispatcher.run_once(NOW + timedelta(days=2)) == 0


async def test_it_sends_each_delivery_once_whoever_runs_the_outbox(
    db: Database, collector: CollectorRecord
) -> None:
    async with receiver() as hook:
        open_alert(db, collector, hook.url)
        first, second = (
            Dispatcher(db, loopback_config()),
            Dispatcher(db, loopback_config()),
        )
        counts = [await first.run_once(NOW), await second.run_once(NOW)]
    assert counts == [1, 0]
    assert len(hook.requests) == 1


async def test_it_refuses_a_destination_off_the_public_internet_unless_allowed(
    db: Database, collector: CollectorRecord
) -> None:
    async with receiver() as hook:
        open_alert(db, collector, hook.url.replace("127.0.0.1", "localhost"))
        await Dispatcher(db, DispatchConfig()).run_once(NOW)
        deliveries, attempts = log_of(db)
        assert hook.requests == []
        assert [d.state for d in deliveries] == ["failed"]
        assert attempts[0].error is not None
        assert "destination refused: 127.0.0.1 is not a public address" in attempts[0].error
