"""The bounded memo tables behind the poll-time caches."""

from __future__ import annotations

from printscout.protocols.snmp.ber import encode_varbinds
from printscout.protocols.snmp.memo import Memo, forget_all
from printscout.protocols.snmp.varbinds import decode_varbinds, forget_decoded


def test_it_gives_back_what_was_put_and_none_for_the_rest() -> None:
    memo: Memo[str, int] = Memo(4)
    assert memo.put("a", 1) == 1
    assert memo.get("a") == 1 and memo.get("b") is None


def test_it_forgets_everything_once_full_and_never_grows_past_its_limit() -> None:
    memo: Memo[int, int] = Memo(3)
    for key in range(3):
        memo.put(key, key)
    assert len(memo) == 3
    memo.put(3, 3)  # the fourth entry: the table starts again
    assert len(memo) == 1 and memo.get(0) is None and memo.get(3) == 3
    memo.put(3, 30)  # a key already held is replaced, not added
    assert len(memo) == 1 and memo.get(3) == 30


def test_it_empties_every_live_table_on_forget_all() -> None:
    first: Memo[str, int] = Memo(4)
    second: Memo[str, int] = Memo(4)
    first.put("a", 1)
    second.put("b", 2)
    forget_all()
    assert len(first) == 0 and len(second) == 0 and first.get("a") is None


def test_it_decodes_the_same_varbinds_after_the_decoder_forgot_them() -> None:
    message = encode_varbinds([((1, 3, 6, 1, 2, 1, 1, 3, 0), 42)])
    before = decode_varbinds(message, 0, len(message))
    forget_decoded()
    assert decode_varbinds(message, 0, len(message)) == before
