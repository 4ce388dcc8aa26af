"""Bounded memo tables for pure steps whose inputs repeat poll after poll.

A printer answers the same varbinds on every poll but for a few levels, counters and its
uptime, so decoding an answer, filing it into columns and building supply rows from it are
looked up by their inputs (the octets, the varbinds, the raw values) instead of being done
again. A changed value is simply a new key.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any, Final, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A dictionary that forgets everything once it holds ``limit`` entries (cheaper than LRU
    bookkeeping on every hit; a fleet's working set is rebuilt within one round of polls)."""

    __slots__ = ("__weakref__", "_table", "limit")

    def __init__(self, limit: int) -> None:
        self._table: dict[K, V] = {}
        self.limit = limit
        _EVERY.add(self)

    def clear(self) -> None:
        """Forget every entry."""
        self._table.clear()

    def get(self, key: K) -> V | None:
        """The value remembered for ``key``, or None."""
        return self._table.get(key)

    def put(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key``; return it."""
        if len(self._table) >= self.limit:
            self._table.clear()
        self._table[key] = value
        return value

    def __len__(self) -> int:
        return len(self._table)


_EVERY: Final[weakref.WeakSet[Memo[Any, Any]]] = weakref.WeakSet()


def forget_all() -> None:
    """Empty every memo table (the benchmark's worst case: a device whose every answer changed
    since the last poll)."""
    for memo in list(_EVERY):
        memo.clear()
