"""Sends the delivery outbox: claims due deliveries, sends them, logs every attempt, and
schedules retries with exponential backoff.

A claim is a conditional UPDATE of ``claimed_until``: of several servers only one wins a
delivery, and a server that dies mid-send lets its claim lapse so another sends it later.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import anyio
import httpx
from sqlalchemy import CursorResult, insert, or_, select, update
from sqlalchemy.orm import Session

from printscout.server.alerts.notify import destinations
from printscout.server.alerts.notify.destinations import Network
from printscout.server.alerts.notify.email import SmtpConfig, send_email
from printscout.server.alerts.notify.outcome import Outcome
from printscout.server.alerts.notify.webhook import send_webhook
from printscout.storage.alerts import Delivery, DeliveryAttempt, NotificationChannel
from printscout.storage.base import utcnow
from printscout.storage.session import Database

log = logging.getLogger("printscout.alerts.notify")


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """How deliveries are sent and retried."""

    smtp: SmtpConfig | None = None
    max_attempts: int = 6
    backoff: timedelta = timedelta(seconds=30)
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50
    webhook_timeout_s: float = 10.0
    webhook_allowed_networks: tuple[Network, ...] = ()  # beyond the public internet


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery with its channel."""

    delivery_id: int
    attempts: int
    kind: str
    target: str
    secret: str | None
    payload: dict[str, object]


class Dispatcher:
    """Sends due deliveries; ``run_once`` is one round (the app runs it periodically)."""

    def __init__(
        self, db: Database, config: DispatchConfig, client: httpx.AsyncClient | None = None
    ) -> None:
        self.db = db
        self.config = config
        self._client = client

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim and send what is due at ``now``; returns how many attempts were made."""
        now = now or utcnow()
        jobs = await anyio.to_thread.run_sync(self.db.write, partial(self._claim, now=now))
        if not jobs:
            return 0
        client = self._client or httpx.AsyncClient(timeout=self.config.webhook_timeout_s)
        try:
            for job in jobs:
                started = time.perf_counter()
                outcome = await self._send(client, job, now)
                ms = (time.perf_counter() - started) * 1000
                record = partial(self._record, job=job, outcome=outcome, now=now, ms=ms)
                await anyio.to_thread.run_sync(self.db.write, record)
        finally:
            if self._client is None:
                await client.aclose()
        return len(jobs)

    def _claim(self, session: Session, *, now: datetime) -> list[Job]:
        rows = session.execute(
            select(Delivery, NotificationChannel)
            .join(NotificationChannel, NotificationChannel.id == Delivery.channel_id)
            .where(
                Delivery.state == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(self.config.batch)
        ).all()
        jobs = []
        for delivery, channel in rows:
            won = session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery.id,
                    Delivery.state == "pending",
                    or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                )
                .values(claimed_until=now + self.config.lease)
                .execution_options(synchronize_session=False)
            )
            if isinstance(won, CursorResult) and won.rowcount == 1:
                jobs.append(
                    Job(
                        delivery.id,
                        delivery.attempts,
                        channel.kind,
                        channel.target,
                        channel.secret,
                        dict(delivery.payload),
                    )
                )
        return jobs

    async def _send(self, client: httpx.AsyncClient, job: Job, now: datetime) -> Outcome:
        if job.kind == "webhook":
            refused = await destinations.check(job.target, self.config.webhook_allowed_networks)
            if refused is not None:
                return Outcome(False, error=f"destination refused: {refused}", permanent=True)
            stamp = int(now.timestamp())
            return await send_webhook(
                client, job.target, job.secret, job.payload, delivery_id=job.delivery_id,
                timestamp=stamp,
            )  # fmt: skip
        if job.kind == "email":
            if self.config.smtp is None:
                return Outcome(False, error="no SMTP server configured (alerts.smtp_host)")
            return await send_email(self.config.smtp, job.target, job.payload)
        return Outcome(False, error=f"unknown channel kind {job.kind!r}", permanent=True)

    def _record(
        self, session: Session, job: Job, outcome: Outcome, now: datetime, ms: float
    ) -> None:
        attempts = job.attempts + 1
        session.execute(
            insert(DeliveryAttempt),
            [
                {
                    "delivery_id": job.delivery_id,
                    "at": now,
                    "ok": outcome.ok,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "ms": round(ms, 1),
                }
            ],
        )
        values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
        if outcome.ok:
            values |= {"state": "delivered", "finished_at": now}
        elif outcome.permanent or attempts >= self.config.max_attempts:
            values |= {"state": "failed", "finished_at": now}
            log.warning(
                "delivery failed", extra={"delivery": job.delivery_id, "error": outcome.error}
            )
        else:
            values["next_attempt_at"] = now + backoff(self.config.backoff, attempts)
        session.execute(
            update(Delivery)
            .where(Delivery.id == job.delivery_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def backoff(base: timedelta, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 2·base, 4·base… (capped at a day)."""
    wait: timedelta = base * (2 ** (attempts - 1))
    return min(wait, timedelta(days=1))
