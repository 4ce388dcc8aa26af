"""Our IPP client and codec against a real third-party IPP printer: CUPS ``ippeveprinter``.

ippeveprinter (Debian package cups-ipp-utils, installed by ``make system-deps``) is the IPP
Everywhere reference printer of CUPS. It is started in a temporary directory with ``-n
localhost``, so it listens on 127.0.0.1 and ::1 only (with ``-n 127.0.0.1`` it cannot make its
IPv6 listener and exits). It will not start without a D-Bus system bus for Avahi, so a private
``dbus-daemon`` is started beside it (DNS-SD is off, ``-r off``; Avahi only needs the bus).

What it serves (CUPS 2.4.2, checked here): printer-state idle with reasons ``none`` and the
message "Idle.", printer-make-and-model "<-M> <-m>", a 1284 device id ``MFG:..;MDL:..;CMD:..``
(no serial), printer-uuid, printer-up-time in seconds, printer-supply (a waste toner tank and a
black toner) with printer-supply-description, printer-input-tray (four trays), no marker-*
attributes, no firmware and no impression counters. IPP over TLS is answered on the same port
with a certificate it makes itself.

Set ``PRINTSCOUT_RECORD_IPP=<dir>`` to keep the raw answers (that is how
tests/fixtures/ipp/ippeveprinter-all.bin was recorded).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import pytest

from printscout.collector.ipp_source import ipp_reading, read_ipp
from printscout.domain.errors import IppTlsError
from printscout.domain.reading import Reading, SupplyState
from printscout.protocols.ipp import codec
from printscout.protocols.ipp.client import IppClient, IppSettings, PrinterResponse
from printscout.protocols.ipp.tags import GroupTag

pytestmark = pytest.mark.interop

MAKE = "HP"
MODEL = "LaserJet Interop 1"
NAME = "PrintScout Interop"
LOCATION = "Interop lab"


def _free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _require(program: str) -> str:
    path = shutil.which(program) or (f"/usr/sbin/{program}" if program == "ippeveprinter" else None)
    if path is None or not Path(path).exists():
        raise RuntimeError(f"{program} not found: run `make system-deps` (cups-ipp-utils, dbus)")
    return path


class IppEvePrinter:
    """ippeveprinter on 127.0.0.1:<free port>, with its own D-Bus, spool and key directory."""

    def __init__(self) -> None:
        self.port = _free_tcp_port()
        self._tmp = Path(tempfile.mkdtemp(prefix="printscout-ippeve-"))
        self._bus: subprocess.Popen[bytes] | None = None
        self._printer: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def __enter__(self) -> IppEvePrinter:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _start(self) -> None:
        bus_socket = self._tmp / "bus"
        self._bus = subprocess.Popen(
            [_require("dbus-daemon"), "--session", "--nofork", "--print-address=1",
             f"--address=unix:path={bus_socket}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert self._bus.stdout is not None
        address = self._bus.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        (self._tmp / "keys").mkdir()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self._tmp),
               "DBUS_SYSTEM_BUS_ADDRESS": address}  # fmt: skip
        self._log = (self._tmp / "ippeveprinter.log").open("wb")
        self._printer = subprocess.Popen(
            [_require("ippeveprinter"), "-p", str(self.port), "-n", "localhost", "-M", MAKE,
             "-m", MODEL, "-l", LOCATION, "-r", "off", "-d", str(self._tmp / "spool"),
             "-K", str(self._tmp / "keys"), NAME],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=self._tmp,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._printer.poll() is not None:
                raise RuntimeError(f"ippeveprinter exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"ippeveprinter did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        """What ippeveprinter printed."""
        path = self._tmp / "ippeveprinter.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop both processes and remove the directory."""
        for proc in (self._printer, self._bus):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()
        if self._log is not None:
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def ippeve() -> Iterator[IppEvePrinter]:
    """One ippeveprinter for the whole module (it takes about a second to start)."""
    with IppEvePrinter() as printer:
        yield printer


def _get(port: int, *, tls: bool = False, requested: tuple[str, ...] | None = None,
         settings: IppSettings | None = None) -> PrinterResponse:  # fmt: skip
    async def run() -> PrinterResponse:
        async with IppClient(settings) as client:
            return await client.get_printer_attributes(
                "127.0.0.1", port, tls=tls, requested=requested
            )

    return asyncio.run(run())


def _record(name: str, raw: bytes, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(raw)
    folder = os.environ.get("PRINTSCOUT_RECORD_IPP")
    if folder:
        Path(folder, name).write_bytes(raw)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_it_reads_ippeveprinter_as_a_reading(ippeve: IppEvePrinter, tls: bool) -> None:
    async def run() -> Reading:
        async with IppClient() as client:
            return await read_ipp(client, "127.0.0.1", ippeve.port, tls=tls)

    reading = asyncio.run(run())
    ident = reading.identity
    assert (ident.manufacturer, ident.model) == ("HP", MODEL)
    assert ident.serial is None  # the device id has no SN, and the uuid is not a serial
    assert ident.firmware is None
    assert ident.hostname == NAME
    assert ident.location == LOCATION
    assert ident.uptime_s is not None and 0 <= ident.uptime_s < 3600
    status = reading.status
    assert (status.device, status.printer, status.errors) == ("running", "idle", ())
    assert status.display == ("Idle.",)
    waste, toner = reading.supplies
    assert (waste.kind, waste.supply_class, waste.color) == ("waste_toner", "receptacle", None)
    assert (waste.description, waste.level, waste.max_capacity) == ("Toner Waste Tank", 25, 100)
    assert (waste.level_percent, waste.unit) == (25, "percent")  # the room still free (MIB)
    assert (toner.kind, toner.color, toner.description) == ("toner", "black", "Black Toner")
    assert (toner.level_percent, toner.state) == (75, SupplyState.OK)
    assert reading.counters.total is None
    trays = {t.name: t for t in reading.trays}
    assert set(trays) == {"auto", "main", "manual", "by-pass-tray"}
    assert (trays["main"].level, trays["main"].max_capacity) == (100, 250)


def test_it_answers_what_the_monitoring_request_asks_and_no_markers(
    ippeve: IppEvePrinter, tmp_path: Path
) -> None:
    response = _get(ippeve.port)
    attributes = response.attributes
    assert response.url.endswith("/ipp/print")
    assert attributes.integer("printer-state") == 3
    assert attributes.strings("printer-state-reasons") == ("none",)
    assert attributes.string("printer-make-and-model") == f"{MAKE} {MODEL}"
    assert attributes.string("printer-device-id") == f"MFG:{MAKE};MDL:{MODEL};CMD:PWG,URF;"
    assert (attributes.string("printer-uuid") or "").startswith("urn:uuid:")
    assert attributes.get("marker-levels") is None  # ippeveprinter has no marker-* at all
    assert len(attributes.strings("printer-supply")) == 2
    # every answer it gave is re-encoded byte for byte
    _record("ippeveprinter-monitoring.bin", response.raw, tmp_path)
    assert codec.encode(codec.decode(response.raw)) == response.raw


def test_the_codec_round_trips_everything_ippeveprinter_serves(
    ippeve: IppEvePrinter, tmp_path: Path
) -> None:
    response = _get(ippeve.port, requested=("all", "media-col-database"))
    _record("ippeveprinter-all.bin", response.raw, tmp_path)
    raw = (tmp_path / "ippeveprinter-all.bin").read_bytes()
    message = codec.decode(raw)
    assert codec.encode(message) == raw
    printer = message.merged(GroupTag.PRINTER)
    assert len(printer.attributes) > 80
    database = printer.get("media-col-database")
    assert database is not None and len(database.values) >= 3
    # the reading built from the everything-answer agrees with the monitoring one
    reading = ipp_reading("127.0.0.1", printer)
    assert reading.identity.model == MODEL and len(reading.supplies) == 2


def test_it_refuses_ippeveprinters_self_signed_certificate_when_asked_to_verify(
    ippeve: IppEvePrinter,
) -> None:
    with pytest.raises(IppTlsError) as caught:
        _get(ippeve.port, tls=True, settings=IppSettings(verify=ssl.create_default_context()))
    assert caught.value.retryable is False
