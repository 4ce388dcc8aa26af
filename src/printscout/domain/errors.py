"""The PrintScout error tree.

PrintScoutError                 base of every error the project raises on purpose
 ├── ParseError                 bytes that are not what the protocol says (permanent)
 ├── SnmpError                  an SNMP exchange failed
 │    ├── SnmpTimeout           no answer after every retry (retryable)
 │    ├── SnmpErrorStatus       the agent answered with a non-zero error-status (permanent)
 │    └── SnmpAuthError         SNMPv3: unknown user, wrong key, bad digest (permanent)
 ├── TargetError                a scan target that cannot be parsed or resolved (permanent)
 └── RecordingError             an snmprec file that cannot be read (permanent)
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
