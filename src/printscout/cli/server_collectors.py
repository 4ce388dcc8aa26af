"""``printscout server`` subcommands for collectors: enrolment tokens, revocation, ranges,
commands, the collector list; and the mutual-TLS options of ``serve``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from printscout.domain.control import COMMAND_KINDS

if TYPE_CHECKING:
    from printscout.server.auth import CollectorAuthenticator
    from printscout.server.collectors.service import CollectorService
    from printscout.server.settings import ServerSettings
    from printscout.storage.session import Database


def add_parsers(actions: Any, common: argparse.ArgumentParser) -> None:
    """Register the collector subcommands under ``printscout server``."""
    token = actions.add_parser(
        "create-enrolment-token", help="a one-time token to enrol a collector", parents=[common]
    )
    _site_options(token)
    token.add_argument("--hours", type=float, help="lifetime (settings: collectors.token_hours)")
    revoke = actions.add_parser("revoke-collector", help="refuse a collector", parents=[common])
    revoke.add_argument("collector", type=UUID)
    command = actions.add_parser(
        "collector-command", help="queue discover / poll / send_logs", parents=[common]
    )
    command.add_argument("collector", type=UUID)
    command.add_argument("kind", choices=COMMAND_KINDS)
    add_range = actions.add_parser(
        "add-range", help="a range for a site's collectors to sweep", parents=[common]
    )
    _site_options(add_range)
    add_range.add_argument("targets", nargs="+", help="addresses, CIDRs, ranges")
    add_range.add_argument("--port", type=int, default=161)
    add_range.add_argument("--community", action="append", default=[])
    schedule = actions.add_parser("set-schedule", help="a site's schedule", parents=[common])
    _site_options(schedule)
    for name in ("discover-every", "poll-every", "identity-every"):
        schedule.add_argument(f"--{name}", type=int, required=True, help="seconds")
    schedule.add_argument("--mask-addresses", action="store_true")
    actions.add_parser("collectors", help="list collectors (silent, revoked)", parents=[common])


def _site_options(parser: argparse.ArgumentParser) -> None:
    for name in ("dealer", "customer", "site"):
        parser.add_argument(f"--{name}", required=True)


def serve_options(
    settings: ServerSettings, db: Database
) -> tuple[dict[str, Any], CollectorAuthenticator | None]:
    """uvicorn options and the collector authenticator: mutual TLS when ``collectors.tls``."""
    if not settings.collectors.tls:
        return {}, None
    from printscout.server.collectors.ca import load_or_create
    from printscout.server.collectors.tls import (
        ClientCertAuthenticator,
        PeerCertProtocol,
        context_factory,
        server_context,
    )

    ca = load_or_create(settings.data_dir / "ca")
    context = server_context(ca, settings.collectors.hostnames)
    options = {"http": PeerCertProtocol, "ssl_context_factory": context_factory(context)}
    return options, ClientCertAuthenticator(db)


def _service(settings: ServerSettings, work: Callable[[CollectorService, Database], Any]) -> Any:
    from printscout.server.collectors.service import CollectorService
    from printscout.storage import schema
    from printscout.storage.session import Database

    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        return work(CollectorService(db, settings), db)
    finally:
        db.dispose()


def _site_id(db: Database, args: argparse.Namespace) -> int:
    from printscout.storage.accounts import ensure_site

    with db.writer() as session:
        return ensure_site(session, args.dealer, args.customer, args.site).id


def _token(settings: ServerSettings, args: argparse.Namespace) -> int:
    hours = args.hours or settings.collectors.token_hours

    def work(service: CollectorService, db: Database) -> str:
        return service.create_token(_site_id(db, args), timedelta(hours=hours))

    print(json.dumps({"token": _service(settings, work), "expires_in_hours": hours}))
    return 0


def _revoke(settings: ServerSettings, args: argparse.Namespace) -> int:
    _service(settings, lambda service, _db: service.revoke(args.collector))
    print(json.dumps({"revoked": str(args.collector)}))
    return 0


def _command(settings: ServerSettings, args: argparse.Namespace) -> int:
    found = _service(settings, lambda s, _db: s.queue_command(args.collector, args.kind))
    print(json.dumps({"command": found, "kind": args.kind}))
    return 0


def _add_range(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.domain.control import RangeConfig, RangeCredentials

    config = RangeConfig(
        targets=args.targets,
        port=args.port,
        credentials=RangeCredentials(communities=args.community or ["public"]),
    )
    found = _service(settings, lambda s, db: s.add_range(_site_id(db, args), config))
    print(json.dumps({"range": found}))
    return 0


def _schedule(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.domain.control import Schedule

    schedule = Schedule(
        discover_every_s=args.discover_every,
        poll_every_s=args.poll_every,
        identity_every_s=args.identity_every,
        mask_addresses=args.mask_addresses,
    )
    _service(settings, lambda s, db: s.set_schedule(_site_id(db, args), schedule))
    return 0


def _list(settings: ServerSettings, _args: argparse.Namespace) -> int:
    for status in _service(settings, lambda s, _db: s.statuses()):
        print(json.dumps({
            "id": str(status.public_id), "name": status.name, "site_id": status.site_id,
            "last_seen_at": status.last_seen_at.isoformat() if status.last_seen_at else None,
            "revoked": status.revoked, "silent": status.silent, "report": status.report,
        }))  # fmt: skip
    return 0


COMMANDS: dict[str, Callable[[ServerSettings, argparse.Namespace], int]] = {
    "create-enrolment-token": _token,
    "revoke-collector": _revoke,
    "collector-command": _command,
    "add-range": _add_range,
    "set-schedule": _schedule,
    "collectors": _list,
}
