"""``printscout collector``: enroll at a server, run as a service, show status."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.handlers
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from printscout.domain.errors import PrintScoutError

if TYPE_CHECKING:
    from printscout.collector.settings import CollectorSettings


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``collector`` command and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="identity, outbox, state (default: $PRINTSCOUT_COLLECTOR_DATA_DIR, ./collector-data)",
    )
    p = sub.add_parser("collector", help="run the collector service", parents=[common])
    actions = p.add_subparsers(dest="collector_command", required=True)
    enroll = actions.add_parser("enroll", help="enrol at a server with a token", parents=[common])
    enroll.add_argument("url", help="https://server:port")
    enroll.add_argument("token", help="the one-time token an administrator created")
    enroll.add_argument("--name", default=socket.gethostname(), help="default: host name")
    actions.add_parser("run", help="run the service (discover, poll, upload)", parents=[common])
    actions.add_parser("status", help="show the outbox and the last upload", parents=[common])
    _add_export(actions, common)
    return p


def _add_export(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    export = actions.add_parser(
        "export-bundle", help="write queued batches into an offline bundle", parents=[common]
    )
    export.add_argument("--out", type=Path, required=True, help="folder for the .psb file")
    export.add_argument("--limit", type=int, default=10_000, help="most batches in one bundle")
    export.add_argument("--mail-to", help="also mail the bundle to this address")
    export.add_argument("--mail-from", default="printscout@localhost", help="sender address")
    export.add_argument("--smtp-host", default="localhost")
    export.add_argument("--smtp-port", type=int, default=587)
    export.add_argument(
        "--smtp-user", help="login name (password: $PRINTSCOUT_COLLECTOR_SMTP_PASSWORD)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit status."""
    from printscout.collector.settings import load_collector_settings

    try:
        settings = load_collector_settings(getattr(args, "data_dir", None))
        if args.collector_command == "enroll":
            return _enroll(settings, args)
        if args.collector_command == "status":
            return _status(settings)
        if args.collector_command == "export-bundle":
            return _export(settings, args)
        return _run(settings)
    except PrintScoutError as exc:
        print(f"printscout collector: {exc}", file=sys.stderr)
        return 1 if exc.retryable else 2


def _enroll(settings: CollectorSettings, args: argparse.Namespace) -> int:
    from printscout.collector.enrolment import enrol

    answer = enrol(args.url, args.token, args.name, settings)
    print(json.dumps({"collector": answer.collector, "site_id": answer.site_id}))
    return 0


def _export(settings: CollectorSettings, args: argparse.Namespace) -> int:
    from printscout.collector.bundle import MailSettings
    from printscout.collector.offline import export_outbox, mail_bundle

    done = export_outbox(settings, args.out, args.limit)
    result = {"file": str(done.path) if done.path else None, "batches": done.batches,
              "readings": done.readings, "mailed_to": None}  # fmt: skip
    if done.path is not None and args.mail_to:
        mail = MailSettings(
            host=args.smtp_host, port=args.smtp_port, sender=args.mail_from,
            recipient=args.mail_to, username=args.smtp_user,
            password=os.environ.get("PRINTSCOUT_COLLECTOR_SMTP_PASSWORD"),
        )  # fmt: skip
        mail_bundle(done.path, mail)  # the file stays: a failed mail can be sent by hand
        result["mailed_to"] = args.mail_to
    print(json.dumps(result))
    return 0


def _run(settings: CollectorSettings) -> int:
    from printscout.collector.service import CollectorAgent
    from printscout.collector.updates import RESTART_EXIT_CODE

    _configure_logging(settings.log_path)
    service = CollectorAgent(settings)
    asyncio.run(service.run())
    if service.restart:
        return RESTART_EXIT_CODE  # systemd starts the new release (RestartForceExitStatus)
    return 1 if service.failed else 0


def _status(settings: CollectorSettings) -> int:
    from printscout.collector.outbox import Outbox

    status: dict[str, object] = {
        "enrolled": settings.cert_path.is_file(),
        "server_url": settings.server_url,
        "collector_id": settings.collector_id,
    }
    if settings.outbox_path.exists():
        outbox = Outbox(settings.outbox_path, int(settings.outbox_max_mb * 1024 * 1024))
        stats = outbox.stats()
        outbox.close()
        status["outbox"] = {
            "batches": stats.batches, "readings": stats.readings, "bytes": stats.bytes,
            "full": stats.full, "dropped_readings": stats.dropped,
            "acknowledged_batches": stats.acknowledged,
        }  # fmt: skip
    if settings.status_path.exists():
        service = json.loads(settings.status_path.read_text())
        written = datetime.fromisoformat(service["written_at"])
        status["service"] = {
            "pid": service.get("pid"),
            "running": _alive(service.get("pid")),
            "status_age_s": round((datetime.now(UTC) - written).total_seconds(), 1),
            "last_upload_at": service.get("last_upload_at"),
            "devices": service.get("devices"),
        }
    print(json.dumps(status, indent=2))
    return 0 if status["enrolled"] else 3


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _configure_logging(path: Path) -> None:
    """Text logs on standard error (journald keeps them) and in a rotating file in the data
    directory (whose tail ``send_logs`` uploads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.handlers.RotatingFileHandler(path, maxBytes=5 << 20, backupCount=2),
    ]
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(os.environ.get("PRINTSCOUT_COLLECTOR_LOG_LEVEL", "INFO"))
