"""Engine and sessions: SQLite (WAL) in a data folder by default, PostgreSQL by URL."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from printscout.storage.errors import StorageError, classify

T = TypeVar("T")

_WRITE_OPTION: Final = "printscout_write"
SQLITE_FILE: Final = "printscout.sqlite3"


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    """How to reach the database; built from the server settings."""

    url: str
    pool_size: int = 8
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "FULL"
    busy_timeout_s: float = 30.0
    echo: bool = False


def sqlite_url(data_dir: Path) -> str:
    """The URL of the default SQLite database inside ``data_dir``."""
    return f"sqlite+pysqlite:///{(data_dir / SQLITE_FILE).resolve()}"


def normalize_url(url: str) -> str:
    """Name the driver we ship (psycopg 3) when a plain ``postgresql://`` URL is given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed.render_as_string(hide_password=False)


class Database:
    """One engine plus read and write sessions; share one per process."""

    def __init__(self, config: DatabaseConfig) -> None:
        url = normalize_url(config.url)
        self.config = config
        self.dialect = make_url(url).get_backend_name()
        self.engine = _engine(url, config)
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._write = sessionmaker(writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite, where one writer at a time holds the database."""
        return self.dialect == "sqlite"

    @property
    def write_concurrency(self) -> int:
        """How many write transactions are worth running at once from one process."""
        return 1 if self.is_sqlite else max(1, self.config.pool_size // 2)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end."""
        with _translated(), self._read() as session:
            yield session

    @contextmanager
    def lookup(self) -> Iterator[Connection]:
        """A connection in autocommit for a single read: no BEGIN and no ROLLBACK round trip
        (authentication runs one indexed SELECT per request)."""
        with _translated(), self._autocommit.connect() as connection:
            yield connection

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A transaction that commits when the block succeeds (SQLite: BEGIN IMMEDIATE)."""
        with _translated(), self._write() as session, session.begin():
            yield session

    def write(self, work: Callable[[Session], T], attempts: int = 5) -> T:
        """Run ``work`` in a write transaction, again (up to ``attempts``) on a retryable error,
        after a short random pause so colliding writers fall out of step."""
        for attempt in range(1, attempts + 1):
            try:
                with self.writer() as session:
                    return work(session)
            except StorageError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sa_exc.DBAPIError as exc:
        raise classify(exc) from exc


def _engine(url: str, config: DatabaseConfig) -> Engine:
    serializer = _json
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_size=config.pool_size,
            max_overflow=config.pool_size,
            json_serializer=serializer,
            json_deserializer=orjson.loads,
            echo=config.echo,
            # A connection the database dropped (a restart, a failover) is replaced when it is
            # checked out, not discovered by the first request that uses it.
            pool_pre_ping=True,
            # No server-side prepared statements: a generic plan for "= ANY($1)" cannot know
            # the array's size and may scan whole tables; our statements are short to parse,
            # and this also works behind PgBouncer in transaction mode. UTC sessions hand back
            # UTC times as they are.
            connect_args={"prepare_threshold": None, "options": "-c timezone=UTC"},
        )
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=config.pool_size,
        connect_args={"check_same_thread": False, "timeout": config.busy_timeout_s},
        json_serializer=serializer,
        json_deserializer=orjson.loads,
        echo=config.echo,
    )
    _sqlite_events(engine, config)
    return engine


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_events(engine: Engine, config: DatabaseConfig) -> None:
    """WAL, foreign keys and explicit BEGINs (pysqlite's implicit ones break IMMEDIATE)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={config.sqlite_synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(config.busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the lock up front: a deferred transaction that reads and then
        # writes can fail with SQLITE_BUSY that no busy timeout waits out.
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
