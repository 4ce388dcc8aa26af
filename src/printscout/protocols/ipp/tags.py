"""IPP tag, operation and status-code numbers (RFC 8010 §3.5, RFC 8011 §5.4.15, §B)."""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class GroupTag(IntEnum):
    """Delimiter tags that begin an attribute group (0x03 ends the attributes)."""

    OPERATION = 0x01
    JOB = 0x02
    END = 0x03
    PRINTER = 0x04
    UNSUPPORTED = 0x05
    SUBSCRIPTION = 0x06
    EVENT_NOTIFICATION = 0x07
    RESOURCE = 0x08
    DOCUMENT = 0x09
    SYSTEM = 0x0A


class ValueTag(IntEnum):
    """Value tags: the syntax of one attribute value."""

    UNSUPPORTED = 0x10
    DEFAULT = 0x11
    UNKNOWN = 0x12
    NO_VALUE = 0x13
    NOT_SETTABLE = 0x15
    DELETE_ATTRIBUTE = 0x16
    ADMIN_DEFINE = 0x17
    INTEGER = 0x21
    BOOLEAN = 0x22
    ENUM = 0x23
    OCTET_STRING = 0x30
    DATE_TIME = 0x31
    RESOLUTION = 0x32
    RANGE_OF_INTEGER = 0x33
    BEG_COLLECTION = 0x34
    TEXT_WITH_LANGUAGE = 0x35
    NAME_WITH_LANGUAGE = 0x36
    END_COLLECTION = 0x37
    TEXT = 0x41
    NAME = 0x42
    KEYWORD = 0x44
    URI = 0x45
    URI_SCHEME = 0x46
    CHARSET = 0x47
    NATURAL_LANGUAGE = 0x48
    MIME_MEDIA_TYPE = 0x49
    MEMBER_ATTR_NAME = 0x4A
    EXTENSION = 0x7F


class Operation(IntEnum):
    """The operations PrintScout sends or the simulator answers."""

    GET_PRINTER_ATTRIBUTES = 0x000B


class Status(IntEnum):
    """Status codes PrintScout acts on (the rest are named by :func:`status_name`)."""

    SUCCESSFUL_OK = 0x0000
    CLIENT_ERROR_BAD_REQUEST = 0x0400
    CLIENT_ERROR_NOT_FOUND = 0x0406
    SERVER_ERROR_INTERNAL_ERROR = 0x0500
    SERVER_ERROR_OPERATION_NOT_SUPPORTED = 0x0501
    SERVER_ERROR_VERSION_NOT_SUPPORTED = 0x0503


STATUS_NAMES: Final = {
    0x0000: "successful-ok",
    0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes",
    0x0400: "client-error-bad-request",
    0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible",
    0x0405: "client-error-timeout",
    0x0406: "client-error-not-found",
    0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large",
    0x0409: "client-error-request-value-too-long",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x040C: "client-error-uri-scheme-not-supported",
    0x040D: "client-error-charset-not-supported",
    0x040E: "client-error-conflicting-attributes",
    0x040F: "client-error-compression-not-supported",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0502: "server-error-service-unavailable",
    0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error",
    0x0505: "server-error-temporary-error",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy",
}

# Errors after which the same request may succeed later (RFC 8011 §B.1.5 wording).
RETRYABLE_STATUSES: Final = frozenset({0x0405, 0x0500, 0x0502, 0x0504, 0x0505, 0x0507})


def status_name(code: int) -> str:
    """The RFC 8011 keyword of a status-code, or ``0x....`` for one PrintScout does not know."""
    return STATUS_NAMES.get(code, f"0x{code:04x}")


def is_success(code: int) -> bool:
    """Whether a status-code is in the successful range 0x0000-0x00FF."""
    return 0 <= code <= 0x00FF
