"""``printscout server`` tools: release keys, publishing collector releases, offline bundles.

Registered by ``cli/server.py`` (``add_actions`` and ``COMMANDS``); the server's libraries are
imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from printscout.server.settings import ServerSettings

PRIVATE_KEY_FILE = "release-signing.key"
PUBLIC_KEY_FILE = "release-signing.pub"


def add_actions(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Register the tools under ``printscout server``."""
    key = actions.add_parser("release-key", help="manage the release signing key", parents=[common])
    key_actions = key.add_subparsers(dest="release_key_command", required=True)
    generate = key_actions.add_parser("generate", help="create an Ed25519 signing key pair")
    generate.add_argument("--out", type=Path, required=True, help="folder for the two files")
    publish = actions.add_parser(
        "publish-release", help="sign a collector wheel and offer it", parents=[common]
    )
    publish.add_argument("wheel", type=Path, help="the printscout-<version>-….whl file")
    publish.add_argument("--signing-key", type=Path, required=True, help="Ed25519 PEM key")
    publish.add_argument("--min-version", help="collectors below this must update to it first")
    imported = actions.add_parser(
        "import-bundle", help="import an offline collector bundle", parents=[common]
    )
    imported.add_argument("file", type=Path, help="the .psb file a collector exported")
    imported.add_argument(
        "--certificate",
        type=Path,
        help="the collector's certificate (PEM; default: the one this server issued it)",
    )
    actions.add_parser(
        "bundle-key", help="print the public key collectors encrypt bundles to", parents=[common]
    )


def _release_key(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.domain.release import generate_release_key, key_id, load_public_key

    args.out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = args.out / PRIVATE_KEY_FILE, args.out / PUBLIC_KEY_FILE
    if private_path.exists():
        print(f"refusing to overwrite {private_path}", file=sys.stderr)
        return 2
    private, public = generate_release_key()
    private_path.touch(mode=0o600)
    private_path.write_bytes(private)
    public_path.write_bytes(public)
    ident = key_id(load_public_key(public))
    print(json.dumps({"private": str(private_path), "public": str(public_path), "key_id": ident}))
    print("keep the private key offline; pin the public key in every collector", file=sys.stderr)
    return 0


def _publish(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.domain.release import load_private_key
    from printscout.server.releases import publish_release, release_dir

    key = load_private_key(args.signing_key.read_bytes())
    store = release_dir(settings.data_dir)
    manifest = publish_release(args.wheel, key, store, min_version=args.min_version)
    print(json.dumps({"version": manifest.version, "wheel": manifest.wheel,
                      "sha256": manifest.sha256, "size": manifest.size}))  # fmt: skip
    return 0


def _import_bundle(settings: ServerSettings, args: argparse.Namespace) -> int:
    from cryptography import x509

    from printscout.server.bundles import import_bundle_file

    if args.certificate is None:
        report = import_bundle_file(settings, args.file)
    else:
        certificate = x509.load_pem_x509_certificate(args.certificate.read_bytes())
        report = import_bundle_file(settings, args.file, lambda _collector: certificate)
    print(json.dumps(report.summary()))
    return 0


def _bundle_key(settings: ServerSettings, args: argparse.Namespace) -> int:
    from printscout.server.bundles import bundle_public_pem

    sys.stdout.write(bundle_public_pem(settings).decode())
    return 0


COMMANDS: dict[str, Callable[[ServerSettings, argparse.Namespace], int]] = {
    "release-key": _release_key,
    "publish-release": _publish,
    "import-bundle": _import_bundle,
    "bundle-key": _bundle_key,
}
