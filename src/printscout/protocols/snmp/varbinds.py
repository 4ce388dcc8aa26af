"""VarBindList decoding, memoised: the hot path of every poll.

A device answers the same varbinds poll after poll (only levels, counters and uptime move), so
whole lists and single varbinds are remembered by their octets. The BER primitives are
:mod:`ber`'s; every malformed input raises :class:`~printscout.domain.errors.ParseError`.
"""

from __future__ import annotations

from typing import Final

from printscout.domain.errors import ParseError
from printscout.protocols.snmp.ber import (
    OBJECT_IDENTIFIER,
    OID_CACHE,
    SEQUENCE,
    Oid,
    Value,
    decode_oid,
    decode_value,
    expect,
    read_header,
)

_VARBIND_CACHE: dict[bytes, tuple[Oid, Value]] = {}
_VARBIND_CACHE_MAX: Final = 16384
_LIST_CACHE: dict[bytes, tuple[tuple[Oid, Value], ...]] = {}
_LIST_CACHE_MAX: Final = 1024


def forget_decoded() -> None:
    """Empty the varbind memo tables (the benchmark's worst case: every answer is new)."""
    _VARBIND_CACHE.clear()
    _LIST_CACHE.clear()


def decode_varbinds(data: bytes, pos: int, end: int) -> list[tuple[Oid, Value]]:
    """Decode a VarBindList TLV starting at ``pos``.

    The hot path of every poll. A device answers the same varbinds poll after poll (only
    levels, counters and uptime move), so whole lists and single varbinds are memoised by
    their octets; a new varbind goes through :func:`_decode_varbind`, which handles the
    common shapes inline.
    """
    start, stop = expect(data, pos, end, SEQUENCE)
    raw = data[start:stop]
    known = _LIST_CACHE.get(raw)
    if known is not None:
        return list(known)
    out = _decode_list(data, start, stop)
    if len(_LIST_CACHE) >= _LIST_CACHE_MAX:
        _LIST_CACHE.clear()
    _LIST_CACHE[raw] = tuple(out)
    return out


def _decode_list(data: bytes, start: int, stop: int) -> list[tuple[Oid, Value]]:
    """The varbinds between ``start`` and ``stop``, each memoised by its octets."""
    out: list[tuple[Oid, Value]] = []
    append = out.append
    known = _VARBIND_CACHE.get
    pos = start
    while pos < stop:
        # 30 len ...: a short-form varbind that fits is looked up by its octets
        if pos + 2 <= stop and data[pos] == 0x30 and data[pos + 1] < 0x80:
            vb_stop = pos + 2 + data[pos + 1]
            if vb_stop <= stop:
                raw = data[pos:vb_stop]
                item = known(raw)
                if item is None:
                    item, _ = _decode_varbind(data, pos, stop)
                    if len(_VARBIND_CACHE) >= _VARBIND_CACHE_MAX:
                        _VARBIND_CACHE.clear()
                    _VARBIND_CACHE[raw] = item
                append(item)
                pos = vb_stop
                continue
        item, pos = _decode_varbind(data, pos, stop)
        append(item)
    return out


def _decode_varbind(data: bytes, pos: int, stop: int) -> tuple[tuple[Oid, Value], int]:
    """Decode one varbind at ``pos``; return it and the position after it."""
    # the common shape: 30 len 06 len <oid> tag len <value>, all lengths short-form
    if pos + 6 <= stop and data[pos] == 0x30 and data[pos + 2] == 0x06:
        vb_stop = pos + 2 + data[pos + 1]
        o_start = pos + 4
        o_stop = o_start + data[pos + 3]
        if vb_stop > stop or o_stop + 2 > vb_stop or data[pos + 1] | data[pos + 3] > 0x7F:
            vb_start, vb_stop = expect(data, pos, stop, SEQUENCE)
            o_start, o_stop = expect(data, vb_start, vb_stop, OBJECT_IDENTIFIER)
    else:
        vb_start, vb_stop = expect(data, pos, stop, SEQUENCE)
        o_start, o_stop = expect(data, vb_start, vb_stop, OBJECT_IDENTIFIER)
    oid = OID_CACHE.get(data[o_start:o_stop]) or decode_oid(data, o_start, o_stop)
    tag = data[o_stop] if o_stop < vb_stop else -1
    length = data[o_stop + 1] if o_stop + 1 < vb_stop else 0x80
    if length < 0x80 and tag & 0x1F != 0x1F:
        v_start = o_stop + 2
        v_stop = v_start + length
    else:
        tag, v_start, v_stop = read_header(data, o_stop, vb_stop)
    if v_stop != vb_stop:
        raise ParseError("trailing octets inside a varbind")
    value: Value
    if tag == 0x04:
        value = data[v_start:v_stop]
    elif tag == 0x02 and length == 1:
        value = data[v_start]
        value = value - 256 if value > 0x7F else value
    elif tag == 0x02 and 1 < length < 9:
        value = int.from_bytes(data[v_start:v_stop], "big", signed=True)
    else:
        value = decode_value(tag, data, v_start, v_stop)
    return (oid, value), vb_stop
