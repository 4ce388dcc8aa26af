"""Accounts (dealer → customers → sites), collectors, users and roles: tables and queries."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import (
    ColumnElement,
    Connection,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.base import Base, utcnow
from printscout.storage.errors import NotFound

API_KEY_PREFIX = "psk_"


class Role(StrEnum):
    """What a console user may do: admin everything, operator write, viewer read."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Dealer(Base):
    """The service company: the top of the account tree and the scope of device identity."""

    __tablename__ = "dealers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    """A customer of the dealer."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("dealer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Site(Base):
    """A place of a customer where printers stand and a collector runs."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Collector(Base):
    """A collector installed at a site; ``api_key_hash`` is SHA-256 of its key."""

    __tablename__ = "collectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[UUID] = mapped_column(unique=True, default=uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    api_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class User(Base):
    """A console user of one dealer; scoped to every customer or to those in user_customers."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda roles: [r.value for r in roles],
        )
    )
    all_customers: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]


class UserCustomer(Base):
    """A customer a scoped user may see."""

    __tablename__ = "user_customers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )


@dataclass(frozen=True, slots=True)
class CollectorRecord:
    """An authenticated collector and where it stands in the account tree."""

    id: int
    public_id: UUID
    name: str
    site_id: int
    customer_id: int
    dealer_id: int
    last_seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """What a user may see and whether they may change it."""

    user_id: int
    dealer_id: int
    role: Role
    customer_ids: frozenset[int] | None  # None: every customer of the dealer

    @property
    def can_write(self) -> bool:
        """Admins and operators change things; viewers only look."""
        return self.role in (Role.ADMIN, Role.OPERATOR)

    def sees_customer(self, customer_id: int) -> bool:
        """Whether the customer is inside this scope (its dealer is checked by the query)."""
        return self.customer_ids is None or customer_id in self.customer_ids


def hash_api_key(key: str) -> str:
    """SHA-256 hex of a key: keys are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    """A fresh collector key (shown once, stored only hashed)."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def ensure_site(session: Session, dealer: str, customer: str, site: str) -> Site:
    """The site named, creating the dealer, customer and site as needed."""
    found_dealer = session.scalar(select(Dealer).where(Dealer.name == dealer))
    if found_dealer is None:
        found_dealer = Dealer(name=dealer)
        session.add(found_dealer)
        session.flush()
    found_customer = session.scalar(
        select(Customer).where(Customer.dealer_id == found_dealer.id, Customer.name == customer)
    )
    if found_customer is None:
        found_customer = Customer(dealer_id=found_dealer.id, name=customer)
        session.add(found_customer)
        session.flush()
    found_site = session.scalar(
        select(Site).where(Site.customer_id == found_customer.id, Site.name == site)
    )
    if found_site is None:
        found_site = Site(customer_id=found_customer.id, name=site)
        session.add(found_site)
        session.flush()
    return found_site


def create_collector(session: Session, site_id: int, name: str) -> tuple[Collector, str]:
    """A new collector with an API key; returns the row and the key in clear (shown once)."""
    key = new_api_key()
    collector = Collector(site_id=site_id, name=name, api_key_hash=hash_api_key(key))
    session.add(collector)
    session.flush()
    return collector, key


def collector_by_key(source: Session | Connection, key: str) -> CollectorRecord | None:
    """The active collector holding ``key``, or None (unknown or revoked)."""
    return _collector_where(source, Collector.api_key_hash == hash_api_key(key))


def collector_by_public_id(source: Session | Connection, public_id: UUID) -> CollectorRecord | None:
    """The active collector with this public id, or None (unknown or revoked)."""
    return _collector_where(source, Collector.public_id == public_id)


def _collector_where(
    source: Session | Connection, condition: ColumnElement[bool]
) -> CollectorRecord | None:
    connection = source.connection() if isinstance(source, Session) else source
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
        .join(Site, Site.id == Collector.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(condition, Collector.revoked_at.is_(None))
    ).one_or_none()
    return None if row is None else CollectorRecord(*row)


def revoke_collector(session: Session, public_id: UUID) -> None:
    """Refuse the collector from now on."""
    done = session.execute(
        update(Collector)
        .where(Collector.public_id == public_id, Collector.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound(f"no active collector {public_id}")


def create_user(
    session: Session,
    dealer_id: int,
    email: str,
    role: Role,
    *,
    name: str = "",
    customer_ids: frozenset[int] | None = None,
) -> User:
    """A user of the dealer, over every customer (``customer_ids`` None) or the ones given."""
    user = User(
        dealer_id=dealer_id,
        email=email.strip().lower(),
        name=name or email,
        role=role,
        all_customers=customer_ids is None,
    )
    session.add(user)
    session.flush()
    for customer_id in sorted(customer_ids or ()):
        session.add(UserCustomer(user_id=user.id, customer_id=customer_id))
    session.flush()
    return user


def user_scope(session: Session, user_id: int) -> Scope:
    """The scope of an enabled user."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        raise NotFound(f"no enabled user {user_id}")
    customers: frozenset[int] | None = None
    if not user.all_customers:
        rows = session.scalars(
            select(UserCustomer.customer_id).where(UserCustomer.user_id == user_id)
        )
        customers = frozenset(rows)
    return Scope(user.id, user.dealer_id, user.role, customers)
