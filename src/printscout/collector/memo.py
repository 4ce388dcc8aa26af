"""Bounded memo tables for the pure steps of normalization, whose inputs repeat poll after poll.

A device answers the same descriptions, capacities and colorants on every poll, so the rows
built from them are looked up by the raw values instead of being built again. Keys hold the
raw SNMP values themselves, so a changed level or a new row is simply a new key.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A dictionary that forgets everything once it holds ``limit`` entries (cheaper than LRU
    bookkeeping on every hit; a fleet's working set is rebuilt within one round of polls)."""

    __slots__ = ("_table", "limit")

    def __init__(self, limit: int) -> None:
        self._table: dict[K, V] = {}
        self.limit = limit

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
