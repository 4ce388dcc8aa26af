"""``printscout server``: serve, migrate, roll up, purge, add a collector.

The server's libraries are imported only when this command runs, so ``printscout scan`` starts
as fast as before.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from printscout.cli import server_collectors, server_tools
from printscout.domain.errors import PrintScoutError

if TYPE_CHECKING:
    from printscout.server.settings import ServerSettings
    from printscout.storage.session import Database

log = logging.getLogger("printscout.server")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``server`` command and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="TOML settings file (default: $PRINTSCOUT_CONFIG); PRINTSCOUT_* variables override it",
    )
    p = sub.add_parser("server", help="run the server or administer its database", parents=[common])
    actions = p.add_subparsers(dest="server_command")
    serve = actions.add_parser("serve", help="serve the API (the default)", parents=[common])
    serve.add_argument("--host", help="address to bind (settings: http.host)")
    serve.add_argument("--port", type=int, help="TCP port (settings: http.port)")
    serve.add_argument("--fd", type=int, help="serve on this inherited listening socket")
    migrate = actions.add_parser("migrate", help="upgrade the database schema", parents=[common])
    migrate.add_argument("--revision", default="head", help="target revision (default head)")
    migrate.add_argument("--downgrade", metavar="REVISION", help="go down to REVISION instead")
    migrate.add_argument("--check", action="store_true", help="exit 1 unless at head")
    actions.add_parser("rollup", help="recompute stale daily roll-ups", parents=[common])
    actions.add_parser("purge", help="roll up, then delete expired data", parents=[common])
    add = actions.add_parser(
        "add-collector", help="create a collector and its key", parents=[common]
    )
    for name in ("dealer", "customer", "site", "name"):
        add.add_argument(f"--{name}", required=True)
    _add_token_parsers(actions, common)
    server_tools.add_actions(actions, common)
    server_collectors.add_parsers(actions, common)
    admin = actions.add_parser(
        "create-admin", help="create a console administrator", parents=[common]
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--dealer", default="Dealer", help="the dealer (created if missing)")
    admin.add_argument("--password-file", type=Path, help="read the password here (else generated)")
    return p


def _add_token_parsers(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    create = actions.add_parser(
        "create-token", help="create an API token for a user", parents=[common]
    )
    create.add_argument("--user", required=True, metavar="EMAIL", help="the token acts as them")
    create.add_argument("--name", default="", help="what the token is for")
    create.add_argument("--read-only", action="store_true", help="never write, whatever the role")
    create.add_argument("--expires-days", type=int, metavar="N", help="refused after N days")
    revoke = actions.add_parser("revoke-token", help="refuse an API token", parents=[common])
    revoke.add_argument("--id", required=True, help="the token's id, as create-token printed")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Load the settings once, then run the subcommand; returns the exit status."""
    from printscout.server.logs import configure_logging
    from printscout.server.settings import load_settings

    config = getattr(args, "config", None) or _env_path("PRINTSCOUT_CONFIG")
    try:
        settings = load_settings(config)
        configure_logging(settings.log)
        command = _COMMANDS[args.server_command or "serve"]
        return command(settings, args)
    except PrintScoutError as exc:
        print(f"printscout server: {exc}", file=sys.stderr)
        return 2 if not exc.retryable else 1


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _serve(settings: ServerSettings, args: argparse.Namespace) -> int:
    import uvicorn

    from printscout.server.app import create_app
    from printscout.server.errors import ConfigError
    from printscout.server.settings import secret_key
    from printscout.storage import schema
    from printscout.storage.session import Database
    from printscout.web.serving import start_redirect, tls_options

    secret_key(settings)  # refuse a placeholder before serving anything
    db = Database(settings.database_config())
    if settings.database.auto_migrate:
        schema.upgrade(db)
    else:
        schema.require_current(db)
    if settings.collectors.tls and settings.console.tls_cert_file is not None:
        # Collectors pin the server's own CA; a console certificate from another CA on the same
        # listener would break that pin. Serve the console from a second process instead.
        raise ConfigError(
            "collectors.tls serves HTTPS with the server's own CA; unset console.tls_cert_file "
            "here and serve the console from another server process (docs/collector.md)"
        )
    tls, authenticator = server_collectors.serve_options(settings, db)
    app = create_app(settings, database=db, authenticator=authenticator)
    listener = _listener(args, settings)
    config = uvicorn.Config(
        app,
        **tls,
        log_config=None,
        access_log=settings.log.access,
        server_header=False,
        timeout_graceful_shutdown=10,
        **tls_options(settings),
    )
    _tune_gc()
    host, port = listener.getsockname()[:2]
    log.info("listening", extra={"host": host, "port": port, "database": db.dialect})
    stop_redirect = start_redirect(settings, host, port)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        stop_redirect()
        listener.close()
        db.dispose()
    return 0


def _tune_gc() -> None:
    """Keep the collector off the ingest path: every request allocates thousands of short-lived
    objects, and the default thresholds then rescan the whole (static) heap of the libraries
    many times a second. Objects alive now are frozen out of collection for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _listener(args: argparse.Namespace, settings: ServerSettings) -> socket.socket:
    """The listening socket: inherited (``--fd``) or bound here, so port 0 works too."""
    fd, host, port = (getattr(args, name, None) for name in ("fd", "host", "port"))
    if fd is not None:
        return socket.socket(fileno=fd)
    host = host or settings.http.host
    port = settings.http.port if port is None else port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def _migrate(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.storage import schema
    from printscout.storage.session import Database

    db = Database(settings.database_config())
    try:
        if args.check:
            schema.require_current(db)
        elif args.downgrade:
            schema.downgrade(db, args.downgrade)
        else:
            schema.upgrade(db, args.revision)
        print(f"database at revision {schema.current(db) or 'none'}")
    finally:
        db.dispose()
    return 0


def _retention(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.storage import schema
    from printscout.storage.retention import purge, roll_up
    from printscout.storage.session import Database

    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        work = purge if args.server_command == "purge" else roll_up
        report = work(db, settings.retention_policy())
    finally:
        db.dispose()
    print(json.dumps(asdict(report)))
    return 0


def _add_collector(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.storage import schema
    from printscout.storage.accounts import create_collector, ensure_site
    from printscout.storage.session import Database

    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        with db.writer() as session:
            site = ensure_site(session, args.dealer, args.customer, args.site)
            collector, key = create_collector(session, site.id, args.name)
            public_id = collector.public_id
    finally:
        db.dispose()
    print(json.dumps({"collector": str(public_id), "key": key}))
    print("the key is shown once; store it in the collector's settings", file=sys.stderr)
    return 0


def _create_token(settings: ServerSettings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from printscout.server.errors import ConfigError
    from printscout.storage import schema
    from printscout.storage.api_tokens import create_token, user_id_by_email
    from printscout.storage.base import utcnow
    from printscout.storage.session import Database

    if args.expires_days is not None and args.expires_days < 1:
        raise ConfigError("--expires-days must be at least 1")
    expires = None if args.expires_days is None else utcnow() + timedelta(days=args.expires_days)
    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        with db.writer() as session:
            user_id = user_id_by_email(session, args.user)
            row, token = create_token(
                session, user_id, name=args.name, read_only=args.read_only, expires_at=expires
            )
            public_id = row.public_id
    finally:
        db.dispose()
    print(json.dumps({"id": str(public_id), "token": token, "read_only": args.read_only}))
    print("the token is shown once; store it where the integration keeps secrets", file=sys.stderr)
    return 0


def _revoke_token(settings: ServerSettings, args: argparse.Namespace) -> int:
    from uuid import UUID

    from printscout.server.errors import ConfigError
    from printscout.storage import schema
    from printscout.storage.api_tokens import revoke_token
    from printscout.storage.session import Database

    try:
        public_id = UUID(args.id)
    except ValueError as exc:
        raise ConfigError(f"not a token id: {args.id}") from exc
    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        with db.writer() as session:
            revoke_token(session, public_id)
    finally:
        db.dispose()
    print(json.dumps({"revoked": str(public_id)}))
    return 0


def create_admin(db: Database, email: str, password: str, dealer: str = "Dealer") -> int:
    """An admin over every customer of ``dealer`` (created if missing); returns the user id."""
    from sqlalchemy import select

    from printscout.storage.accounts import Dealer, Role, create_user
    from printscout.storage.console import set_password_hash
    from printscout.web.passwords import hash_password

    with db.writer() as session:
        found = session.scalar(select(Dealer).where(Dealer.name == dealer))
        if found is None:
            found = Dealer(name=dealer)
            session.add(found)
            session.flush()
        user = create_user(session, found.id, email, Role.ADMIN, name=email)
        set_password_hash(session, user.id, hash_password(password))
        return user.id


def _create_admin(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.storage import schema
    from printscout.storage.session import Database
    from printscout.web.passwords import generate_password

    given = args.password_file.read_text().strip() if args.password_file else None
    password = given or generate_password()
    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        create_admin(db, args.email, password, args.dealer)
    finally:
        db.dispose()
    if given is None:
        print(f"password: {password}")
        print("the password is shown once; change it after signing in", file=sys.stderr)
    return 0


_COMMANDS: dict[str, Callable[[ServerSettings, argparse.Namespace], int]] = {
    "serve": _serve,
    "migrate": _migrate,
    "rollup": _retention,
    "purge": _retention,
    "add-collector": _add_collector,
    "create-token": _create_token,
    "revoke-token": _revoke_token,
    **server_collectors.COMMANDS,
    "create-admin": _create_admin,
}
_COMMANDS.update(server_tools.COMMANDS)
