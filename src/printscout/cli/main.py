"""The ``printscout`` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from printscout import __version__
from printscout.cli import collector, scan, server, simulate


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The root parser and each subcommand's parser."""
    parser = argparse.ArgumentParser(prog="printscout", description="Printer-fleet monitoring")
    parser.add_argument("--version", action="version", version=f"printscout {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    return parser, {
        "scan": scan.add_parser(sub),
        "simulate": simulate.add_parser(sub),
        "server": server.add_parser(sub),
        "collector": collector.add_parser(sub),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        # The SNMP engine watches its socket with loop.add_reader, which Windows' default
        # proactor loop lacks; the selector loop has it for sockets.
        asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())
    if args.command == "scan":
        return scan.run(scan.settings_from(args, commands["scan"]))
    if args.command == "server":
        return server.run(args, commands["server"])
    if args.command == "collector":
        return collector.run(args)
    return simulate.run(simulate.settings_from(args, commands["simulate"]))


if __name__ == "__main__":
    sys.exit(main())
