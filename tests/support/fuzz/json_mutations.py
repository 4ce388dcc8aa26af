"""Structure-aware mutations of a JSON document: hostile values put where the schema expects
something else (wrong types, extreme numbers and dates, huge strings, deep nesting)."""

from __future__ import annotations

import json
import random
import re
from typing import Any, Final

HUGE_NUMBER_MARK: Final = "<huge-number>"
DEEP_MARK: Final = "<deep>"
_BIG: Final = 2_000_000
_MARKS: Final = re.compile(rb'"(<huge-number>|<deep>(\d+))"')

# values a hostile or broken collector might send in any field
HOSTILE: Final[tuple[Any, ...]] = (
    None, True, False, 0, -1, 1 << 31, -(1 << 31) - 1, 1 << 63, 1 << 64, -(1 << 70), 1e308,
    float("nan"), float("inf"), -0.0, 0.5, "", " ", "x" * 5000, "\x00", "\ud800", "☃",
    "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-13-40T25:61:61Z",
    "2026-12-01T12:00:00", "2026-12-01T12:00:00+23:59", "00000000-0000-0000-0000-000000000000",
    "not-a-uuid", "printscout.batch/2", "toner", "ok", "printer", [], {}, [None], {"": None},
)  # fmt: skip


def _path(rng: random.Random, node: Any) -> tuple[Any, ...]:
    """A random path into the document: down through random children, stopping on the way."""
    path: list[Any] = []
    while isinstance(node, dict | list) and node and rng.random() < 0.8:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path.append(key)
        node = node[key]
    return tuple(path)


def _deep(rng: random.Random) -> Any:
    """A nesting bomb of lists or objects (deeper ones are spliced in as text by ``dumps``)."""
    depth = rng.choice((50, 500, 5000, 100_000))
    if depth > 500:
        return DEEP_MARK + str(depth)
    node: Any = 1
    for _ in range(depth):
        node = [node] if rng.random() < 0.5 else {"a": node}
    return node


def _replace(rng: random.Random, node: Any, grow: bool) -> Any:
    choice = rng.randrange(10)
    if choice == 7 and not grow:
        choice = 9
    if choice < 6:
        return json.loads(json.dumps(rng.choice(HOSTILE)))  # a copy: later mutations change it
    if choice == 6:
        return _deep(rng)
    if choice == 7 and isinstance(node, list) and node:
        # too many readings, supplies, alerts: up to about 2 MB of JSON, past the body limit
        most = max(2, _BIG // (len(json.dumps(node)) + 1))
        return node * min(most, rng.choice((2, 50, 300)))
    if choice == 8 and isinstance(node, str):
        return node * rng.choice((2, 100))
    return HUGE_NUMBER_MARK


def mutate_document(rng: random.Random, document: Any) -> Any:
    """A deep copy of ``document`` with one to three values replaced or keys removed."""
    doc = json.loads(json.dumps(document))  # a deep copy, faster than copy.deepcopy
    for step in range(rng.randrange(1, 4)):
        grow = step == 0  # lists grow once per document: grown twice, one holds the other
        path = _path(rng, doc)
        if not path:
            doc = _replace(rng, doc, grow)
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and rng.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = _replace(rng, parent[path[-1]], grow)
    return doc


def dumps(document: Any) -> bytes:
    """The document as JSON bytes, with the marks replaced by what ``json`` cannot write: a
    5,000-digit number and arrays nested thousands deep."""
    data = json.dumps(document, allow_nan=True).encode()

    def expand(match: re.Match[bytes]) -> bytes:
        if match.group(2) is None:
            return b"9" * 5000
        depth = int(match.group(2))
        return b"[" * depth + b"1" + b"]" * depth

    return _MARKS.sub(expand, data)
