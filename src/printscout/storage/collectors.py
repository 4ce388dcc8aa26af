"""Collector service tables: enrolment tokens, client certificates, site schedules and ranges,
commands and check-ins; and the queries the server's collector slice runs on them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.accounts import Collector, CollectorRecord, Customer, Site
from printscout.storage.base import Base, Json, utcnow
from printscout.storage.errors import NotFound


class EnrolmentToken(Base):
    """A one-time, expiring token that lets one collector enrol at one site (kept hashed)."""

    __tablename__ = "enrolment_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectors.id", ondelete="SET NULL")
    )


class CollectorCertificate(Base):
    """A client certificate the server's CA issued to a collector."""

    __tablename__ = "collector_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    collector_id: Mapped[int] = mapped_column(
        ForeignKey("collectors.id", ondelete="CASCADE"), index=True
    )
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    not_after: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Kept so offline bundles (signed with the collector's key) can be verified later.
    pem: Mapped[str | None] = mapped_column(Text)


class SiteSchedule(Base):
    """How often the collectors of a site discover and poll."""

    __tablename__ = "site_schedules"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    discover_every_s: Mapped[int] = mapped_column(default=6 * 3600)
    poll_every_s: Mapped[int] = mapped_column(default=300)
    identity_every_s: Mapped[int] = mapped_column(default=24 * 3600)
    mask_addresses: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteRange(Base):
    """An address range a site's collector sweeps, with its SNMP credentials (encrypted)."""

    __tablename__ = "site_ranges"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    targets: Mapped[str] = mapped_column(Text)  # up to 64 targets of 100 characters
    port: Mapped[int] = mapped_column(default=161)
    credentials: Mapped[str] = mapped_column(Text)  # Fernet token of a JSON document
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CollectorCommand(Base):
    """A command for one collector: discover now, poll now, send logs."""

    __tablename__ = "collector_commands"

    id: Mapped[int] = mapped_column(primary_key=True)
    collector_id: Mapped[int] = mapped_column(
        ForeignKey("collectors.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)


class CollectorEvent(Base):
    """Something a collector reported outside a command, e.g. a refused update."""

    __tablename__ = "collector_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    collector_id: Mapped[int] = mapped_column(
        ForeignKey("collectors.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)


class CollectorCheckin(Base):
    """The last check-in of a collector and what it reported about itself."""

    __tablename__ = "collector_checkins"

    collector_id: Mapped[int] = mapped_column(
        ForeignKey("collectors.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    report: Mapped[dict[str, Any]] = mapped_column(Json)


def hash_token(token: str) -> str:
    """SHA-256 hex of an enrolment token's secret part (256 random bits: a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_enrolment_token(session: Session, site_id: int, secret: str, lifetime: timedelta) -> None:
    """Store a new token for the site."""
    now = utcnow()
    session.add(
        EnrolmentToken(
            token_hash=hash_token(secret),
            site_id=site_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()


def redeem_token(session: Session, secret: str, name: str) -> Collector:
    """Use a token once: a new collector at its site; NotFound when unknown, used or expired."""
    now = utcnow()
    token = session.scalar(
        select(EnrolmentToken)
        .where(EnrolmentToken.token_hash == hash_token(secret))
        .with_for_update()
    )
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise NotFound("unknown, used or expired enrolment token")
    collector = Collector(site_id=token.site_id, name=name)
    session.add(collector)
    session.flush()
    # The conditional UPDATE makes a token race between two servers end with one winner.
    done = session.execute(
        update(EnrolmentToken)
        .where(EnrolmentToken.id == token.id, EnrolmentToken.used_at.is_(None))
        .values(used_at=now, collector_id=collector.id)
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound("enrolment token already used")
    return collector


def add_certificate(
    session: Session,
    collector_id: int,
    serial: int,
    fingerprint: str,
    not_after: datetime,
    pem: str | None = None,
) -> None:
    """Record a certificate issued to a collector."""
    session.add(
        CollectorCertificate(
            collector_id=collector_id,
            serial=format(serial, "x"),
            fingerprint=fingerprint,
            not_after=not_after,
            pem=pem,
        )
    )
    session.flush()


def newest_certificate_pem(connection: Connection, public_id: UUID) -> str | None:
    """The PEM of the newest non-revoked certificate of an active collector, or None.

    Expired certificates still count: a bundle signed before expiry stays verifiable.
    """
    return connection.execute(
        select(CollectorCertificate.pem)
        .join(Collector, Collector.id == CollectorCertificate.collector_id)
        .where(
            Collector.public_id == public_id,
            Collector.revoked_at.is_(None),
            CollectorCertificate.revoked_at.is_(None),
            CollectorCertificate.pem.is_not(None),
        )
        .order_by(CollectorCertificate.created_at.desc(), CollectorCertificate.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def add_event(session: Session, collector_id: int, kind: str, detail: dict[str, Any]) -> None:
    """Record something a collector reported."""
    session.add(CollectorEvent(collector_id=collector_id, at=utcnow(), kind=kind, detail=detail))


def collector_by_fingerprint(connection: Connection, fingerprint: str) -> CollectorRecord | None:
    """The active collector holding this certificate (not revoked, not expired), or None."""
    row = connection.execute(
        select(
            Collector.id,
            Collector.public_id,
            Collector.name,
            Collector.site_id,
            Site.customer_id,
            Customer.dealer_id,
            Collector.last_seen_at,
        )
        .select_from(CollectorCertificate)
        .join(Collector, Collector.id == CollectorCertificate.collector_id)
        .join(Site, Site.id == Collector.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(
            CollectorCertificate.fingerprint == fingerprint,
            CollectorCertificate.revoked_at.is_(None),
            CollectorCertificate.not_after > utcnow(),
            Collector.revoked_at.is_(None),
        )
    ).one_or_none()
    return None if row is None else CollectorRecord(*row)


def revoke_certificates(session: Session, public_id: UUID) -> None:
    """Revoke the collector and every certificate it holds; NotFound when unknown."""
    collector = session.scalar(select(Collector).where(Collector.public_id == public_id))
    if collector is None:
        raise NotFound(f"no collector {public_id}")
    now = utcnow()
    if collector.revoked_at is None:
        collector.revoked_at = now
    session.execute(
        update(CollectorCertificate)
        .where(
            CollectorCertificate.collector_id == collector.id,
            CollectorCertificate.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def site_schedule(session: Session, site_id: int) -> SiteSchedule:
    """The site's schedule (the defaults until an admin sets one)."""
    found = session.get(SiteSchedule, site_id)
    if found is None:
        found = SiteSchedule(
            site_id=site_id,
            discover_every_s=6 * 3600,
            poll_every_s=300,
            identity_every_s=24 * 3600,
            mask_addresses=False,
        )
    return found


def site_ranges(session: Session, site_id: int) -> list[SiteRange]:
    """The site's ranges in the order they were added."""
    return list(
        session.scalars(
            select(SiteRange).where(SiteRange.site_id == site_id).order_by(SiteRange.id)
        )
    )


@dataclass(frozen=True, slots=True)
class PendingCommand:
    """A command handed to a collector."""

    id: int
    kind: str


def take_commands(session: Session, collector_id: int) -> list[PendingCommand]:
    """The collector's commands not yet done; marks them delivered."""
    rows = list(
        session.scalars(
            select(CollectorCommand)
            .where(
                CollectorCommand.collector_id == collector_id, CollectorCommand.done_at.is_(None)
            )
            .order_by(CollectorCommand.id)
        )
    )
    now = utcnow()
    for row in rows:
        row.delivered_at = row.delivered_at or now
    return [PendingCommand(r.id, r.kind) for r in rows]


def finish_command(
    session: Session, collector_id: int, command_id: int, result: dict[str, Any]
) -> None:
    """Mark a command done with what the collector reported."""
    row = session.get(CollectorCommand, command_id)
    if row is None or row.collector_id != collector_id:
        raise NotFound(f"no command {command_id} for this collector")
    row.done_at = row.done_at or utcnow()
    row.result = result


def record_checkin(session: Session, collector_id: int, report: dict[str, Any]) -> None:
    """Remember the collector's latest check-in and when it was."""
    now = utcnow()
    row = session.get(CollectorCheckin, collector_id)
    if row is None:
        session.add(CollectorCheckin(collector_id=collector_id, at=now, report=report))
    else:
        row.at, row.report = now, report
    collector = session.get(Collector, collector_id)
    if collector is not None:
        collector.last_seen_at = now
