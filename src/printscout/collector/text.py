"""Turning printer-supplied octet strings into clean text: charsets, NULs, hex, noise."""

from __future__ import annotations

import codecs
import re
from typing import Final

from printscout.protocols.snmp.mibs import CHARSET_CODECS

MAX_TEXT: Final = 1024  # printers have sent megabytes in one "string"; keep what is useful
_HEX_TEXT: Final = re.compile(r"^(?:0[xX])?((?:[0-9A-Fa-f]{2}[ :]?){2,})$")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# charsets whose ASCII range means ASCII (so plain ASCII bytes decode the same way)
_ASCII_COMPATIBLE: Final = frozenset(
    {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 106, 109, 111, 2004, 2009, 2010, 2011, 2250, 2251,
     2252, 2253, 2254}
)  # fmt: skip


def decode_text(raw: object, charset: int | None = None) -> str | None:
    """Decode an OCTET STRING value as text; ``None`` for absent or empty values.

    Uses the device's declared character set when it is known, then UTF-8, then Latin-1.
    Trailing NULs and padding are removed, control characters dropped, and the result capped.
    """
    if isinstance(raw, str):
        data = raw.encode("utf-8", "replace")
    elif isinstance(raw, bytes):
        data = bytes(raw)
    else:
        return None
    cut = len(data) > MAX_TEXT * 4  # the cap may split the last character
    data = data[: MAX_TEXT * 4]
    # fast path: plain printable ASCII, as nearly every printer sends
    if (charset is None or charset in _ASCII_COMPATIBLE) and data.isascii():
        text = data.decode("ascii")
        if text.isprintable():
            return text.strip()[:MAX_TEXT] or None
    nul = data.find(b"\x00")
    codec = CHARSET_CODECS.get(charset) if charset else None
    if nul >= 0 and (codec is None or not codec.startswith("utf-16")):
        data = data[:nul]
    text = _decode(data, codec, final=not cut or nul >= 0)
    text = _CONTROL.sub("", text).strip()
    return text[:MAX_TEXT] or None


def _decode(data: bytes, codec: str | None, final: bool = True) -> str:
    """Decode with the declared codec, then UTF-8, then Latin-1 (which always works).

    An incremental decoder drops a character that the length cap split in two
    (``final=False``) instead of failing over to Latin-1 mojibake.
    """
    for name in (codec, "utf-8"):
        if name is None:
            continue
        try:
            decoder = codecs.getincrementaldecoder(name)()
            return decoder.decode(data, final=final).rstrip("\x00")
        except (UnicodeError, LookupError):  # incremental UTF-16 raises plain UnicodeError
            pass
    return data.decode("latin-1")


def unhex(text: str | None) -> str | None:
    """Undo hex-encoding of printable text (``"0x48502D31"`` or ``"48 50 2D 31"``).

    Only used on identity fields where some agents send text as hex; text that is not
    plausibly hex-encoded printable ASCII is returned unchanged.
    """
    if text is None:
        return None
    match = _HEX_TEXT.match(text.strip())
    if not match or (not text.strip().startswith(("0x", "0X")) and " " not in text.strip()):
        return text
    digits = re.sub(r"[ :]", "", match.group(1))
    try:
        decoded = bytes.fromhex(digits).rstrip(b"\x00").decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return text
    return decoded if decoded.isprintable() and decoded.strip() else text


def format_mac(raw: object) -> str | None:
    """Format a 6-octet ifPhysAddress as ``aa:bb:cc:dd:ee:ff``; None for anything else."""
    if not isinstance(raw, bytes) or len(raw) != 6 or not any(raw) or raw == b"\xff" * 6:
        return None
    return ":".join(f"{b:02x}" for b in raw)
