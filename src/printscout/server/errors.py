"""The server error tree.

ServerError                     base of every error the server package raises (PrintScoutError)
 ├── ConfigError                settings that cannot be used, e.g. a placeholder secret (permanent)
 ├── NotAuthenticated           a request without valid collector credentials (permanent)
 ├── EnrolmentRefused           an enrolment token or certificate request that cannot be used
 │                              (permanent)
 └── BodyError                  an upload body that cannot be read: too large, badly encoded,
                                not JSON (permanent; ``status`` is the HTTP status to answer)
"""

from __future__ import annotations

from printscout.domain.errors import PrintScoutError


class ServerError(PrintScoutError):
    """Base of every error the server package raises."""


class ConfigError(ServerError):
    """The settings cannot be used."""


class NotAuthenticated(ServerError):
    """The request carries no valid collector credentials."""


class BodyError(ServerError):
    """The request body cannot be read as an upload."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EnrolmentRefused(ServerError):
    """An enrolment token or certificate request cannot be used."""
