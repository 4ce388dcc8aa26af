"""Console passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH: Final = 10
_HASHER: Final = PasswordHasher()
# Verified when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY: Final = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no password set, always False)."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (rehash at next login)."""
    return _HASHER.check_needs_rehash(stored)


def generate_password() -> str:
    """A random password for a new account (shown once)."""
    return secrets.token_urlsafe(15)


def weak_reason(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    return None
