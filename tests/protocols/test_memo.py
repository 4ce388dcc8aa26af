"""The bounded memo tables behind the poll-time caches."""

from __future__ import annotations

from printscout.protocols.snmp.memo import Memo


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
