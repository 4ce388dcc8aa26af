"""The PrintScout error tree.

PrintScoutError                 base of every error the project raises on purpose
 ├── ParseError                 bytes that are not what the protocol says (permanent)
 ├── SnmpError                  an SNMP exchange failed
 │    ├── SnmpTimeout           no answer after every retry (retryable)
 │    ├── SnmpErrorStatus       the agent answered with a non-zero error-status (permanent)
 │    └── SnmpAuthError         SNMPv3: unknown user, wrong key, bad digest (permanent)
 ├── TargetError                a scan target that cannot be parsed or resolved (permanent)
 ├── RecordingError             an snmprec file that cannot be read (permanent)
 ├── EwsError                   an exchange with an embedded web server failed (per instance)
 │    ├── EwsTimeout            no complete answer within the deadline (retryable)
 │    └── EwsStatusError        an HTTP status other than 2xx/404 (5xx and 429 retryable)
 └── IppError                   an IPP exchange failed (per instance)
      ├── IppTimeout            no complete answer within the timeout (retryable)
      ├── IppConnectionError    refused, reset or closed connection (retryable)
      │    └── IppTlsError      TLS handshake or certificate check failed (permanent)
      ├── IppHttpError          an HTTP status other than 200 (5xx, 408 and 429 retryable)
      └── IppStatusError        an IPP error status-code (busy, unavailable: retryable)
"""

from __future__ import annotations


class PrintScoutError(Exception):
    """Base of every error PrintScout raises on purpose."""

    retryable: bool = False


class ParseError(PrintScoutError):
    """Input bytes do not follow the encoding they claim."""


class SnmpError(PrintScoutError):
    """An SNMP exchange failed."""


class SnmpTimeout(SnmpError):
    """No answer arrived within the timeout, after every retry."""

    retryable = True


class SnmpErrorStatus(SnmpError):
    """The agent answered with a non-zero error-status."""

    def __init__(self, status: int, index: int) -> None:
        super().__init__(f"agent answered error-status {status} at varbind {index}")
        self.status = status
        self.index = index


class SnmpAuthError(SnmpError):
    """SNMPv3 security failed: unknown user or engine, wrong keys, bad digest."""


class TargetError(PrintScoutError):
    """A scan target could not be parsed or resolved."""


class RecordingError(PrintScoutError):
    """An snmprec recording could not be read."""


class EwsError(PrintScoutError):
    """An exchange with a printer's embedded web server failed.

    Whether a retry can help depends on the cause (a reset connection may, an oversized page
    will not), so it is recorded per instance.
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class EwsTimeout(EwsError):
    """The embedded web server did not answer completely within the deadline."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class EwsStatusError(EwsError):
    """The embedded web server answered with an HTTP status that is neither 2xx nor 404."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"{url} answered HTTP {status}", retryable=status >= 500 or status == 429)
        self.status = status


class IppError(PrintScoutError):
    """An IPP exchange with a printer failed; whether a retry can help is kept per instance."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class IppTimeout(IppError):
    """The printer did not answer completely within the timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class IppConnectionError(IppError):
    """The connection was refused, reset or closed before the answer was complete."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)


class IppTlsError(IppConnectionError):
    """The TLS handshake or the certificate check failed; a retry will not help."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class IppHttpError(IppError):
    """The printer answered with an HTTP status other than 200."""

    def __init__(self, status: int, url: str) -> None:
        retryable = status >= 500 or status in (408, 429)
        super().__init__(f"{url} answered HTTP {status}", retryable=retryable)
        self.status = status
        self.url = url


class IppStatusError(IppError):
    """The printer answered with an IPP error status-code."""

    def __init__(self, status: int, name: str, *, retryable: bool = False) -> None:
        message = f"printer answered IPP status {name} (0x{status:04x})"
        super().__init__(message, retryable=retryable)
        self.status = status
        self.status_name = name
