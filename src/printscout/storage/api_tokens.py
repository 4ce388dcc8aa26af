"""API tokens for integrations: each belongs to a user, may be narrowed, and is kept hashed.

A token is ``pst_`` and 256 random bits. Only its SHA-256 is stored (a fast hash is enough for
random secrets of that size), so a stolen database grants nothing. A token sees what its user
sees, never more: read-only tokens lose the right to write, disabling the user stops the token,
and a narrowed role or customer list of the user narrows the token at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID, uuid4

from sqlalchemy import Connection, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.accounts import Role, Scope, User, hash_api_key, user_scope
from printscout.storage.base import Base, utcnow
from printscout.storage.errors import NotFound

TOKEN_PREFIX: Final = "pst_"  # noqa: S105 (a prefix, not a secret)


class ApiToken(Base):
    """An integration's access token; ``token_hash`` is SHA-256 of the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[UUID] = mapped_column(unique=True, default=uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    read_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A valid token: whose it is, and how it narrows its user."""

    token_id: int
    user_id: int
    read_only: bool
    last_used_at: datetime | None


def new_token() -> str:
    """A fresh API token (shown once, stored only hashed)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(
    session: Session,
    user_id: int,
    *,
    name: str = "",
    read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for an enabled user; returns the row and the token in clear (shown once)."""
    user_scope(session, user_id)  # raises NotFound for an unknown or disabled user
    token = new_token()
    row = ApiToken(
        user_id=user_id,
        name=name or "api token",
        token_hash=hash_api_key(token),
        read_only=read_only,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, token


def user_id_by_email(session: Session, email: str) -> int:
    """The id of the user with this e-mail address (raise NotFound)."""
    found = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if found is None:
        raise NotFound(f"no user {email}")
    return found


def grant_of(connection: Connection, token: str, now: datetime) -> TokenGrant | None:
    """The grant of a live token (not revoked, not expired, user enabled), or None."""
    row = connection.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.read_only, ApiToken.last_used_at)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == hash_api_key(token),
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    return None if row is None else TokenGrant(*row)


def token_scope(session: Session, grant: TokenGrant) -> Scope:
    """The scope a token acts with: its user's, made read-only when the token is."""
    scope = user_scope(session, grant.user_id)
    if grant.read_only and scope.can_write:
        scope = replace(scope, role=Role.VIEWER)
    return scope


def mark_used(session: Session, token_id: int, at: datetime, every: timedelta) -> None:
    """Record the use; skipped when recorded less than ``every`` ago (no write per request)."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= at - every),
        )
        .values(last_used_at=at)
    )


def revoke_token(session: Session, public_id: UUID) -> None:
    """Refuse the token from now on (raise NotFound unless it was active)."""
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.public_id == public_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound(f"no active API token {public_id}")


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """The tokens of a user, oldest first."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )
