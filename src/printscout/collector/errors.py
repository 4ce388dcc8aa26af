"""The collector service's error tree.

CollectorError                  base of every error the collector service raises (PrintScoutError)
 ├── NotEnrolled                no identity in the data directory: run ``collector enroll``
 │                              (permanent)
 ├── EnrolmentFailed            the server refused the token, or its CA does not match the
 │                              token's fingerprint (permanent)
 ├── NoBundleKey                an offline export, but the server's bundle key was never
 │                              fetched (permanent until the collector checks in once)
 ├── OutboxFull                 the outbox's disk is full: nothing was written (retryable
 │                              once space returns)
 └── UploadError                the server could not be reached or answered with an error
                                (retryable unless ``retryable`` is False)
"""

from __future__ import annotations

from printscout.domain.errors import PrintScoutError


class CollectorError(PrintScoutError):
    """Base of every error the collector service raises."""


class NotEnrolled(CollectorError):
    """The collector has no certificate yet."""


class EnrolmentFailed(CollectorError):
    """Enrolment was refused or the server could not be trusted."""


class NoBundleKey(CollectorError):
    """The server's bundle key is not in the data directory."""


class OutboxFull(CollectorError):
    """The outbox could not write (SQLITE_FULL or ENOSPC); the transaction was rolled back."""

    retryable = True


class UploadError(CollectorError):
    """A call to the server failed."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable
