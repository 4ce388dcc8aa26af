"""Web console: server-side login sessions, login throttling and user preferences."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, ForeignKey, String, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.accounts import Role, Scope, User, UserCustomer
from printscout.storage.base import Base, table_of, upsert, utcnow

# Failed logins tolerated before the account's email is locked, and the longest lock.
FREE_FAILURES: Final = 5
# Failed logins tolerated from one client address, whatever the emails (password spraying).
CLIENT_FREE_FAILURES: Final = 20
FIRST_LOCK: Final = timedelta(seconds=30)
LONGEST_LOCK: Final = timedelta(minutes=15)
# Failures further apart than this start the count again (a typo a week is no attack).
FORGET_AFTER: Final = timedelta(hours=1)
LANGUAGES: Final = ("en", "de")


class ConsoleSession(Base):
    """A signed-in browser; the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginThrottle(Base):
    """Recent failed logins for one email (known or not, so probing learns nothing)."""

    __tablename__ = "login_throttles"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class UserPreference(Base):
    """What a user chose for the console: for now the language."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8))


@dataclass(frozen=True, slots=True)
class ConsoleLogin:
    """The user behind a session cookie, with what each page needs."""

    scope: Scope
    email: str
    name: str
    csrf: str
    language: str | None


def hash_token(token: str) -> str:
    """SHA-256 hex of a session token (256 random bits, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user_id: int, lifetime: timedelta) -> str:
    """A new session for the user; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Sweep expired sessions and stale failure counts here: logins are rare, so this costs
    # nothing noticeable (`server purge` sweeps too, for a server nobody signs in to).
    sweep_stale(session, now)
    session.add(
        ConsoleSession(
            token_hash=hash_token(token),
            user_id=user_id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def close_session(session: Session, token: str) -> None:
    """Forget a session (logout)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token)))


def close_other_sessions(session: Session, user_id: int, keep: str | None) -> None:
    """Sign the user out everywhere but ``keep`` (after a password change)."""
    query = delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
    if keep is not None:
        query = query.where(ConsoleSession.token_hash != hash_token(keep))
    session.execute(query)


def login_by_token(connection: Connection, token: str, now: datetime) -> ConsoleLogin | None:
    """The enabled user of an unexpired session, or None."""
    row = connection.execute(
        select(
            User.id,
            User.dealer_id,
            User.role,
            User.all_customers,
            User.email,
            User.name,
            ConsoleSession.csrf,
            UserPreference.language,
        )
        .join(User, User.id == ConsoleSession.user_id)
        .outerjoin(UserPreference, UserPreference.user_id == User.id)
        .where(
            ConsoleSession.token_hash == hash_token(token),
            ConsoleSession.expires_at > now,
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    customers: frozenset[int] | None = None
    if not row.all_customers:
        found = connection.scalars(
            select(UserCustomer.customer_id).where(UserCustomer.user_id == row.id)
        )
        customers = frozenset(found)
    scope = Scope(row.id, row.dealer_id, Role(row.role), customers)
    return ConsoleLogin(scope, row.email, row.name, row.csrf, row.language)


def user_by_email(session: Session, email: str) -> User | None:
    """The enabled user with this email, or None."""
    return session.scalar(
        select(User).where(User.email == email.strip().lower(), User.disabled_at.is_(None))
    )


def locked_until(session: Session, email: str, now: datetime) -> datetime | None:
    """When logins for ``email`` are allowed again, or None if they are now."""
    until = session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.email == email.strip().lower())
    )
    return until if until is not None and until > now else None


def record_failure(
    session: Session, email: str, now: datetime, free: int = FREE_FAILURES
) -> datetime | None:
    """Count a failed login; past ``free`` failures each one doubles the lock."""
    email = email.strip().lower()
    row = session.get(LoginThrottle, email)
    recent = row is not None and now - row.last_failure_at < FORGET_AFTER
    failures = row.failures + 1 if row is not None and recent else 1
    until = None
    if failures >= free:
        until = now + min(LONGEST_LOCK, FIRST_LOCK * 2 ** min(failures - free, 16))
    values = {"email": email, "failures": failures, "last_failure_at": now, "locked_until": until}
    upsert(session, table_of(LoginThrottle), [values], ["email"])
    return until


def sweep_stale(session: Session, now: datetime) -> int:
    """Delete expired sessions and failure counts that are forgotten and unlocked; rows gone."""
    sessions = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    throttles = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - FORGET_AFTER,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )
    return sum(int(getattr(result, "rowcount", 0) or 0) for result in (sessions, throttles))


def clear_failures(session: Session, email: str) -> None:
    """Forget the failures of an email after a good login."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.email == email.strip().lower()))


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    """Store a user's new password hash."""
    session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


def set_language(session: Session, user_id: int, language: str) -> None:
    """Store the user's console language (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    upsert(
        session, table_of(UserPreference), [{"user_id": user_id, "language": language}], ["user_id"]
    )
