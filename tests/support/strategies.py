"""Hypothesis strategies shared by the codec tests (BER, SNMP messages)."""

from __future__ import annotations

from hypothesis import strategies as st

# octets that matter to a BER parser: zero, sequence and octet-string tags, the short/long
# length boundary and long-form length prefixes
_INTERESTING = (0x00, 0x03, 0x30, 0x7F, 0x80, 0x81, 0x84, 0xFF)


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[bytes]) -> bytes:
    """A valid encoding damaged by a few flips, cuts, insertions or deletions."""
    data = bytearray(draw(valid))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("flip", "set", "truncate", "insert", "delete")))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "set" and data:
            data[at] = draw(st.sampled_from(_INTERESTING))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=6))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 4))]
    return bytes(data)
