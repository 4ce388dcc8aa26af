"""Many-row INSERT and UPDATE in one statement each, the fast way on each database.

PostgreSQL gets one short statement that unnests one array per column: the SQL text is the
same for any number of rows, so neither SQLAlchemy nor psycopg re-renders or re-parses it, and
the server plans it once per row set instead of once per row. SQLite runs in-process, where a
plain ``executemany`` is already cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import orjson
from sqlalchemy import JSON, ColumnElement, any_, bindparam, insert, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import TypeDecorator

from printscout.storage.base import insert_ignoring
from printscout.storage.errors import WriteConflict

_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    skip_conflicts_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (all with the same keys); rows clashing on ``skip_conflicts_on`` are
    skipped. Returns the ``returning`` columns of the rows inserted, in no particular order."""
    if not rows:
        return []
    names = list(rows[0])
    if session.get_bind().dialect.name == "postgresql":
        sql = _insert_sql(table, tuple(names), tuple(skip_conflicts_on), tuple(returning))
        result = session.connection().exec_driver_sql(sql, _arrays(table, names, rows))
        return [tuple(r) for r in result] if returning else []
    if skip_conflicts_on:
        stmt: Any = insert_ignoring(session, table, skip_conflicts_on)
    else:
        stmt = insert(table)
    if returning:
        stmt = stmt.returning(*(table.c[n] for n in returning))
        return [tuple(r) for r in session.connection().execute(stmt, list(rows))]
    session.connection().execute(stmt, list(rows))
    return []


def update_rows(
    session: Session,
    table: Table,
    key: str,
    rows: Sequence[dict[str, Any]],
    *,
    guard: str | None = None,
) -> None:
    """Update rows by ``key``: each dict holds the key and the new values (same keys in all).

    With ``guard``, each dict also holds ``GUARD`` (the column's value as read; the guarded
    column must be among the values) under the key ``"was"``: a row whose column changed
    meanwhile is left alone and WriteConflict is raised, so the transaction runs again
    (optimistic locking, instead of locking every row on read).
    """
    if not rows:
        return
    names = [n for n in rows[0] if n != "was"]
    if session.get_bind().dialect.name == "postgresql":
        sql = _update_sql(table, key, tuple(names), guard)
        arrays = _arrays(table, names, rows)
        if guard is not None:
            arrays["was"] = [row["was"] for row in rows]
        result = session.connection().exec_driver_sql(sql, arrays)
    else:
        condition = table.c[key] == bindparam(f"v_{key}")
        if guard is not None:
            condition = condition & (table.c[guard] == bindparam("was"))
        values: dict[str, Any] = {n: bindparam(f"v_{n}") for n in names if n != key}
        params = [{f"v_{n}": row[n] for n in names} | _was(row) for row in rows]
        result = session.connection().execute(update(table).where(condition).values(values), params)
    if guard is not None and result.rowcount != len(rows):
        raise WriteConflict(f"{len(rows) - result.rowcount} {table.name} row(s) changed meanwhile")


def _was(row: dict[str, Any]) -> dict[str, Any]:
    return {"was": row["was"]} if "was" in row else {}


def one_of(dialect: str, column: Any, name: str) -> ColumnElement[bool]:
    """``column IN :name`` where ``name`` is given a list when executing. On PostgreSQL that
    is one array parameter (``= ANY``), so the SQL text stays the same for any list."""
    if dialect == "postgresql":
        array = bindparam(name, type_=postgresql.ARRAY(column.type))
        return cast(ColumnElement[bool], column == any_(array))
    return cast(ColumnElement[bool], column.in_(bindparam(name, expanding=True)))


def _arrays(table: Table, names: list[str], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    arrays: dict[str, Any] = {}
    for name in names:
        values = [row[name] for row in rows]
        if _is_json(table, name):
            values = [None if v is None else orjson.dumps(v).decode() for v in values]
        arrays[name] = values
    return arrays


def _is_json(table: Table, name: str) -> bool:
    kind = table.c[name].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind.dialect_impl(_PG), JSON)


def _array_type(table: Table, name: str) -> str:
    return str(table.c[name].type.compile(dialect=_PG)) + "[]"


def _quote(name: str) -> str:
    return str(_PG.identifier_preparer.quote(name))


@cache
def _insert_sql(
    table: Table, names: tuple[str, ...], conflict: tuple[str, ...], returning: tuple[str, ...]
) -> str:
    cols = ", ".join(_quote(n) for n in names)
    arrays = ", ".join(f"%({n})b::{_array_type(table, n)}" for n in names)
    # Identifiers come from the table metadata, quoted; values travel as parameters.
    sql = f"INSERT INTO {_quote(table.name)} ({cols}) SELECT * FROM unnest({arrays})"  # noqa: S608
    if conflict:
        sql += f" ON CONFLICT ({', '.join(_quote(n) for n in conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(_quote(n) for n in returning)}"
    return sql


@cache
def _update_sql(table: Table, key: str, names: tuple[str, ...], guard: str | None) -> str:
    sets = ", ".join(f"{_quote(n)} = v.{_quote(n)}" for n in names if n != key)
    arrays = [f"%({n})b::{_array_type(table, n)}" for n in names]
    cols = [_quote(n) for n in names]
    where = f"t.{_quote(key)} = v.{_quote(key)}"
    if guard is not None:
        arrays.append(f"%(was)b::{_array_type(table, guard)}")
        cols.append("was")
        where += f" AND t.{_quote(guard)} = v.was"
    return (
        f"UPDATE {_quote(table.name)} AS t SET {sets} "  # noqa: S608
        f"FROM unnest({', '.join(arrays)}) AS v({', '.join(cols)}) WHERE {where}"
    )
