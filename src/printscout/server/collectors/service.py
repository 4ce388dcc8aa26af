"""Collector service: enrolment tokens, CSR signing, revocation, schedules, commands, check-ins."""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.domain.control import (
    CheckinReport,
    CollectorConfig,
    CollectorEvent,
    Command,
    CommandResult,
    EnrolResponse,
    RangeConfig,
    RangeCredentials,
    RenewResponse,
    Schedule,
)
from printscout.server.collectors.ca import CertificateAuthority, load_or_create
from printscout.server.errors import ConfigError, EnrolmentRefused
from printscout.server.releases import release_offer
from printscout.server.settings import CollectorServiceSettings, ServerSettings, secret_key
from printscout.storage.accounts import Collector, CollectorRecord, Customer, Scope, Site
from printscout.storage.base import utcnow
from printscout.storage.collectors import (
    CollectorCheckin,
    CollectorCommand,
    SiteRange,
    SiteSchedule,
    add_certificate,
    add_enrolment_token,
    add_event,
    finish_command,
    newest_certificate_pem,
    record_checkin,
    redeem_token,
    revoke_certificates,
    site_ranges,
    site_schedule,
    take_commands,
)
from printscout.storage.errors import NotFound
from printscout.storage.session import Database


@dataclass(frozen=True, slots=True)
class CollectorStatus:
    """One collector as an admin sees it."""

    public_id: UUID
    name: str
    site_id: int
    last_seen_at: datetime | None
    revoked: bool
    silent: bool
    report: dict[str, object]


@dataclass(frozen=True, slots=True)
class RangeSummary:
    """A site's range as users see it: its secrets only counted, never shown back."""

    id: int
    site_id: int
    targets: tuple[str, ...]
    port: int
    communities: int
    v3_users: tuple[str, ...]
    created_at: datetime


def credentials_cipher(secret: SecretStr) -> Fernet:
    """The cipher for SNMP secrets at rest, derived from the server's secret key."""
    key = HKDF(hashes.SHA256(), 32, salt=None, info=b"printscout snmp credentials").derive(
        secret.get_secret_value().encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


class CollectorService:
    """Everything the server does for and about collectors; thread-safe."""

    def __init__(self, db: Database, settings: ServerSettings) -> None:
        self._db = db
        self._server = settings
        self.settings: CollectorServiceSettings = settings.collectors
        self._ca: CertificateAuthority | None = None
        self._fernet: Fernet | None = None
        self._lock = threading.Lock()

    @property
    def _cipher(self) -> Fernet:
        # Made on first use: the secret key may be generated in data_dir.
        if self._fernet is None:
            self._fernet = credentials_cipher(secret_key(self._server))
        return self._fernet

    @property
    def ca(self) -> CertificateAuthority:
        """The CA, made on first use."""
        with self._lock:
            if self._ca is None:
                self._ca = load_or_create(self._server.data_dir / "ca")
            return self._ca

    def create_token(self, site_id: int, lifetime: timedelta | None = None) -> str:
        """A one-time token for the site: ``<secret>.<CA fingerprint>`` (the collector checks the
        CA it is sent against the fingerprint, so enrolment needs no other trust)."""
        # Hex, not URL-safe base64: a token starting with "-" was taken for an option by
        # ``printscout collector enroll URL TOKEN`` (one token in 64).
        secret = secrets.token_hex(32)
        lifetime = lifetime or timedelta(hours=self.settings.token_hours)
        with self._db.writer() as session:
            if session.get(Site, site_id) is None:
                raise NotFound(f"no site {site_id}")
            add_enrolment_token(session, site_id, secret, lifetime)
        return f"{secret}.{self.ca.fingerprint}"

    def enrol(self, token: str, name: str, csr_pem: bytes) -> EnrolResponse:
        """Redeem the token and sign the CSR: a new collector at the token's site."""
        secret, _, pinned = token.partition(".")
        ca = self.ca
        if pinned != ca.fingerprint:
            raise EnrolmentRefused("the token was made for another server")
        try:
            with self._db.writer() as session:
                collector = redeem_token(session, secret, name)
                site = session.get(Site, collector.site_id)
                issued = ca.sign_collector(
                    csr_pem, collector.public_id, site.name if site else "", self._days()
                )
                add_certificate(
                    session, collector.id, issued.serial, issued.fingerprint, issued.not_after,
                    issued.pem.decode(),
                )  # fmt: skip
                site_id, public_id = collector.site_id, collector.public_id
        except NotFound as exc:
            raise EnrolmentRefused(str(exc)) from exc
        return EnrolResponse(
            collector=str(public_id),
            site_id=site_id,
            certificate=issued.pem.decode(),
            ca=ca.pem.decode(),
        )

    def _days(self) -> int:
        return self.settings.certificate_days

    def renew(self, collector: CollectorRecord, csr_pem: bytes) -> RenewResponse:
        """A new certificate for an authenticated collector (the old one stays valid until it
        expires or is revoked, so requests in flight are not cut off)."""
        with self._db.writer() as session:
            site = session.get(Site, collector.site_id)
            issued = self.ca.sign_collector(
                csr_pem, collector.public_id, site.name if site else "", self._days()
            )
            add_certificate(
                session, collector.id, issued.serial, issued.fingerprint, issued.not_after,
                issued.pem.decode(),
            )  # fmt: skip
        return RenewResponse(certificate=issued.pem.decode())

    def revoke(self, public_id: UUID) -> None:
        """Refuse the collector and its certificates from the next request on."""
        with self._db.writer() as session:
            revoke_certificates(session, public_id)

    def checkin(self, collector: CollectorRecord, report: CheckinReport) -> CollectorConfig:
        """Record the check-in; the collector's configuration and pending commands."""
        with self._db.writer() as session:
            record_checkin(session, collector.id, report.model_dump(mode="json"))
            commands = take_commands(session, collector.id)
            schedule = site_schedule(session, collector.site_id)
            ranges = [self._range(r) for r in site_ranges(session, collector.site_id)]
        return CollectorConfig(
            collector=str(collector.public_id),
            site_id=collector.site_id,
            checkin_every_s=self.settings.checkin_every_s,
            schedule=Schedule(
                discover_every_s=schedule.discover_every_s,
                poll_every_s=schedule.poll_every_s,
                identity_every_s=schedule.identity_every_s,
                mask_addresses=schedule.mask_addresses,
            ),
            ranges=ranges,
            commands=[Command(id=c.id, kind=c.kind) for c in commands],  # type: ignore[arg-type]
            release=release_offer(self._server.data_dir),
        )

    def record_event(self, collector: CollectorRecord, event: CollectorEvent) -> None:
        """Keep what a collector reported (a refused update, say) for the admins."""
        with self._db.writer() as session:
            add_event(session, collector.id, event.kind, event.detail)

    def _range(self, row: SiteRange) -> RangeConfig:
        try:
            plain = self._cipher.decrypt(row.credentials.encode())
            credentials = RangeCredentials.model_validate_json(plain)
        except (InvalidToken, ValidationError) as exc:
            raise ConfigError(
                f"range {row.id}: credentials cannot be decrypted (was the secret key changed?)"
            ) from exc
        return RangeConfig(targets=row.targets.split(), port=row.port, credentials=credentials)

    def finish(self, collector: CollectorRecord, command_id: int, result: CommandResult) -> None:
        """Mark a command done."""
        with self._db.writer() as session:
            finish_command(session, collector.id, command_id, result.model_dump(mode="json"))

    def set_schedule(self, site_id: int, schedule: Schedule) -> None:
        """Replace the site's schedule."""
        with self._db.writer() as session:
            row = session.get(SiteSchedule, site_id)
            if row is None:
                row = SiteSchedule(site_id=site_id)
                session.add(row)
            row.discover_every_s = schedule.discover_every_s
            row.poll_every_s = schedule.poll_every_s
            row.identity_every_s = schedule.identity_every_s
            row.mask_addresses = schedule.mask_addresses
            row.updated_at = utcnow()

    def add_range(self, site_id: int, config: RangeConfig) -> int:
        """Add a range to the site; its credentials are stored encrypted."""
        token = self._cipher.encrypt(config.credentials.model_dump_json().encode()).decode()
        with self._db.writer() as session:
            row = SiteRange(
                site_id=site_id, targets=" ".join(config.targets), port=config.port,
                credentials=token,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return row.id

    def ranges(self, site_id: int) -> list[RangeSummary]:
        """The site's ranges, oldest first, with how many secrets each holds."""
        with self._db.reader() as session:
            rows = site_ranges(session, site_id)
        out = []
        for row in rows:
            credentials = self._range(row).credentials
            summary = RangeSummary(
                row.id, row.site_id, tuple(row.targets.split()), row.port,
                len(credentials.communities), tuple(v.user for v in credentials.v3),
                row.created_at,
            )  # fmt: skip
            out.append(summary)
        return out

    def delete_range(self, site_id: int, range_id: int) -> None:
        """Remove one of the site's ranges; NotFound if the site has no such range."""
        with self._db.writer() as session:
            row = session.get(SiteRange, range_id)
            if row is None or row.site_id != site_id:
                raise NotFound(f"no range {range_id} at site {site_id}")
            session.delete(row)

    def schedule(self, site_id: int) -> Schedule:
        """The site's schedule (the defaults until one is set)."""
        with self._db.reader() as session:
            row = site_schedule(session, site_id)
            return Schedule(
                discover_every_s=row.discover_every_s, poll_every_s=row.poll_every_s,
                identity_every_s=row.identity_every_s, mask_addresses=row.mask_addresses,
            )  # fmt: skip

    def queue_command(self, public_id: UUID, kind: str) -> int:
        """Queue a command for a collector; returns its id."""
        with self._db.writer() as session:
            collector = _collector(session, public_id)
            row = CollectorCommand(collector_id=collector.id, kind=kind)
            session.add(row)
            session.flush()
            return row.id

    def statuses(self, scope: Scope | None = None) -> list[CollectorStatus]:
        """Every collector (in ``scope``); silent after ``silent_after`` missed check-ins."""
        limit = timedelta(seconds=self.settings.checkin_every_s * self.settings.silent_after)
        now = utcnow()
        with self._db.reader() as session:
            rows = session.execute(
                select(Collector, Site, CollectorCheckin)
                .join(Site, Site.id == Collector.site_id)
                .outerjoin(CollectorCheckin, CollectorCheckin.collector_id == Collector.id)
                .order_by(Collector.id)
            ).all()
            customers = _customers(session, scope)
        return [
            CollectorStatus(
                c.public_id, c.name, c.site_id, c.last_seen_at, c.revoked_at is not None,
                c.revoked_at is None and (c.last_seen_at is None or now - c.last_seen_at > limit),
                dict(checkin.report) if checkin else {},
            )
            for c, site, checkin in rows
            if customers is None or site.customer_id in customers
        ]  # fmt: skip


def certificate_store(db: Database) -> Callable[[str], x509.Certificate | None]:
    """The ``CertificateStore`` offline bundles are verified with: the newest certificate not
    revoked of an active collector, by its public id."""

    def certificate(collector: str) -> x509.Certificate | None:
        try:
            public_id = UUID(collector)
        except ValueError:
            return None
        with db.lookup() as connection:
            pem = newest_certificate_pem(connection, public_id)
        return None if pem is None else x509.load_pem_x509_certificate(pem.encode())

    return certificate


def _collector(session: Session, public_id: UUID) -> Collector:
    found = session.scalar(select(Collector).where(Collector.public_id == public_id))
    if found is None:
        raise NotFound(f"no collector {public_id}")
    return found


def _customers(session: Session, scope: Scope | None) -> frozenset[int] | None:
    """The customers a scope covers (None: no restriction beyond the dealer)."""
    if scope is None:
        return None
    ids = frozenset(
        session.scalars(select(Customer.id).where(Customer.dealer_id == scope.dealer_id))
    )
    return ids if scope.customer_ids is None else ids & scope.customer_ids


def site_in_scope(db: Database, scope: Scope, site_id: int) -> bool:
    """Whether the site belongs to a customer the scope may see."""
    with db.reader() as session:
        row = session.execute(
            select(Customer.id, Customer.dealer_id)
            .join(Site, Site.customer_id == Customer.id)
            .where(Site.id == site_id)
        ).one_or_none()
    return row is not None and row[1] == scope.dealer_id and scope.sees_customer(row[0])
