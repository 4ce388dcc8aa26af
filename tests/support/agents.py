"""Start real third-party SNMP agents (Net-SNMP snmpd, snmpsim) on loopback for tests and benches.

Both agents are sync context managers, so pytest fixtures and ``python -m bench.run`` share them::

    with NetSnmpAgent() as agent:          # a colour printer described by agent.spec
        subprocess.run(["snmpget", "-v2c", "-c", "public", agent.target, "1.3.6.1.2.1.1.1.0"],
                       env=agent.cli_env)

    with SnmpsimAgent([Path("…/xerox.snmprec")]) as sim:   # community "xerox"
        ...

Every agent binds to 127.0.0.0/8 only, lives in its own temporary directory (config, Net-SNMP
persistent state, logs) and is stopped and cleaned up on exit.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self

__all__ = [
    "DEFAULT_PRINTER",
    "USM_USERS",
    "AgentError",
    "Colorant",
    "MibObject",
    "NetSnmpAgent",
    "PrinterSpec",
    "SnmpsimAgent",
    "SnmpsimFactory",
    "Supply",
    "Tray",
    "UsmUser",
    "net_snmp_env",
]

SNMPD = Path("/usr/sbin/snmpd")
SYS_OBJECT_ID_0 = "1.3.6.1.2.1.1.2.0"

# The only snmpd modules we initialise (-I): SNMP engine, USM, VACM, system group and override.
# Everything else (Host Resources, IF-MIB, UCD...) would serve the host's own data next to the
# printer's and cost CPU on every walk.
SNMPD_MODULES = (
    "snmpEngine,snmpMPDStats,usmStats,usmUser,usmConf,vacm_conf,vacm_vars,vacm_context,"
    "system_mib,sysORTable,snmp_mib,setSerialNo,override"
)

# Directives of snmpd's system_mib module; other objects are served with `override`.
SYSTEM_DIRECTIVES = {
    "1.3.6.1.2.1.1.1.0": "sysDescr",
    "1.3.6.1.2.1.1.2.0": "sysObjectID",
    "1.3.6.1.2.1.1.4.0": "sysContact",
    "1.3.6.1.2.1.1.5.0": "sysName",
    "1.3.6.1.2.1.1.6.0": "sysLocation",
}

# Net-SNMP protocol spellings → snmpsim's. Net-SNMP's AES-192/256 use the Blumenthal key
# extension, which snmpsim calls AES192BLMT/AES256BLMT (its AES256 is the Reeder variant).
SNMPSIM_PROTOCOLS = {
    "MD5": "MD5",
    "SHA": "SHA",
    "SHA-224": "SHA224",
    "SHA-256": "SHA256",
    "SHA-384": "SHA384",
    "SHA-512": "SHA512",
    "DES": "DES",
    "AES": "AES",
    "AES-192": "AES192BLMT",
    "AES-256": "AES256BLMT",
}


class AgentError(RuntimeError):
    """An agent could not be started or never answered."""


Kind = Literal["integer", "uinteger", "counter", "octet_str", "object_id"]


@dataclass(frozen=True)
class MibObject:
    """One served instance; `kind` is Net-SNMP's override type, strings are bytes."""

    oid: str
    kind: Kind
    value: int | bytes | str

    @property
    def key(self) -> tuple[int, ...]:
        """The OID as integers, which sort in SNMP (lexicographic) order."""
        return tuple(int(arc) for arc in self.oid.split("."))


@dataclass(frozen=True)
class Supply:
    """A prtMarkerSuppliesTable row (RFC 3805 enums: type, class, unit)."""

    index: int
    description: str
    type: int
    supply_class: int
    unit: int
    max_capacity: int
    level: int
    colorant_index: int
    marker_index: int = 1


@dataclass(frozen=True)
class Colorant:
    """A prtMarkerColorantTable row; role 3 is process colour."""

    index: int
    value: str
    role: int = 3
    tonality: int = 256
    marker_index: int = 1


@dataclass(frozen=True)
class Tray:
    """A prtInputTable row; type 3 is a removable tray, 5 manual feed; unit 8 is sheets."""

    index: int
    name: str
    type: int
    max_capacity: int
    current_level: int
    media_name: str = "A4"
    capacity_unit: int = 8
    status: int = 0


HR_DEVICE_PRINTER = "1.3.6.1.2.1.25.3.1.5"
SYSTEM = "1.3.6.1.2.1.1"
HR_DEVICE_ENTRY = "1.3.6.1.2.1.25.3.2.1"
HR_PRINTER_ENTRY = "1.3.6.1.2.1.25.3.5.1"
PRT_GENERAL_ENTRY = "1.3.6.1.2.1.43.5.1.1"
PRT_INPUT_ENTRY = "1.3.6.1.2.1.43.8.2.1"
PRT_MARKER_ENTRY = "1.3.6.1.2.1.43.10.2.1"
PRT_SUPPLIES_ENTRY = "1.3.6.1.2.1.43.11.1.1"
PRT_COLORANT_ENTRY = "1.3.6.1.2.1.43.12.1.1"
PRT_CONSOLE_DISPLAY_ENTRY = "1.3.6.1.2.1.43.16.5.1"

# Supply enums (RFC 3805): type toner 3, wasteToner 4, opc 9, fuser 15, transferUnit 20;
# class consumed 3, receptacle filled 4; unit impressions 7, percent 19.
# Levels: -2 unknown, -3 some remaining.
DEFAULT_SUPPLIES = (
    Supply(1, "Black Toner Cartridge", 3, 3, 19, 100, 80, 1),
    Supply(2, "Cyan Toner Cartridge", 3, 3, 19, 100, 65, 2),
    Supply(3, "Magenta Toner Cartridge", 3, 3, 19, 100, 50, 3),
    Supply(4, "Yellow Toner Cartridge", 3, 3, 19, 100, 5, 4),
    Supply(5, "Imaging Drum", 9, 3, 7, 60000, 41000, 0),
    Supply(6, "Waste Toner Box", 4, 4, 19, 100, -3, 0),
    Supply(7, "Fuser Kit", 15, 3, 7, 150000, 120000, 0),
    Supply(8, "Transfer Belt", 20, 3, 7, 150000, -2, 0),
)


@dataclass(frozen=True)
class PrinterSpec:
    """What NetSnmpAgent serves: a colour laser warning about low yellow toner.

    hrDeviceIndex is 1. Defaults are coherent per RFC 3805: hrDeviceStatus warning(3),
    hrPrinterStatus idle(3), hrPrinterDetectedErrorState lowToner (bit 2, 0x20).
    """

    sys_descr: str = "PrintScout CL4500dn Colour Laser, firmware 2.4.1"
    # 32473 is the enterprise number RFC 5612 reserves for documentation.
    sys_object_id: str = "1.3.6.1.4.1.32473.4500.1"
    sys_name: str = "prn-lab-01"
    sys_location: str = "Lab bench 3"
    sys_contact: str = "fleet-ops@example.com"
    serial_number: str = "PSX4500A0001"
    device_descr: str = "PrintScout CL4500dn"
    device_status: int = 3
    printer_status: int = 3
    detected_error_state: bytes = b"\x20"
    life_count: int = 48213
    counter_unit: int = 7
    supplies: tuple[Supply, ...] = DEFAULT_SUPPLIES
    colorants: tuple[Colorant, ...] = (
        Colorant(1, "black"),
        Colorant(2, "cyan"),
        Colorant(3, "magenta"),
        Colorant(4, "yellow"),
    )
    trays: tuple[Tray, ...] = (
        Tray(1, "Multipurpose Tray", 5, 100, -3),
        Tray(2, "Tray 2", 3, 250, 150),
    )
    console_lines: tuple[str, ...] = ("Yellow toner low",)

    def objects(self, prefix: str = "") -> tuple[MibObject, ...]:
        """Return every served instance under `prefix` (all by default), in OID order."""
        found = [o for o in self._objects() if not prefix or f"{o.oid}.".startswith(f"{prefix}.")]
        return tuple(sorted(found, key=lambda obj: obj.key))

    def _objects(self) -> list[MibObject]:
        """Build the instances table by table."""
        o = MibObject
        objs = [
            o(f"{SYSTEM}.1.0", "octet_str", self.sys_descr.encode()),
            o(f"{SYSTEM}.2.0", "object_id", self.sys_object_id),
            o(f"{SYSTEM}.4.0", "octet_str", self.sys_contact.encode()),
            o(f"{SYSTEM}.5.0", "octet_str", self.sys_name.encode()),
            o(f"{SYSTEM}.6.0", "octet_str", self.sys_location.encode()),
            o(f"{HR_DEVICE_ENTRY}.1.1", "integer", 1),
            o(f"{HR_DEVICE_ENTRY}.2.1", "object_id", HR_DEVICE_PRINTER),
            o(f"{HR_DEVICE_ENTRY}.3.1", "octet_str", self.device_descr.encode()),
            o(f"{HR_DEVICE_ENTRY}.4.1", "object_id", "0.0"),
            o(f"{HR_DEVICE_ENTRY}.5.1", "integer", self.device_status),
            o(f"{HR_DEVICE_ENTRY}.6.1", "counter", 0),
            o(f"{HR_PRINTER_ENTRY}.1.1", "integer", self.printer_status),
            o(f"{HR_PRINTER_ENTRY}.2.1", "octet_str", self.detected_error_state),
            o(f"{PRT_GENERAL_ENTRY}.17.1", "octet_str", self.serial_number.encode()),
            o(f"{PRT_MARKER_ENTRY}.3.1.1", "integer", self.counter_unit),
            o(f"{PRT_MARKER_ENTRY}.4.1.1", "counter", self.life_count),
        ]
        for t in self.trays:
            row = f"1.{t.index}"
            objs += [
                o(f"{PRT_INPUT_ENTRY}.2.{row}", "integer", t.type),
                o(f"{PRT_INPUT_ENTRY}.8.{row}", "integer", t.capacity_unit),
                o(f"{PRT_INPUT_ENTRY}.9.{row}", "integer", t.max_capacity),
                o(f"{PRT_INPUT_ENTRY}.10.{row}", "integer", t.current_level),
                o(f"{PRT_INPUT_ENTRY}.11.{row}", "integer", t.status),
                o(f"{PRT_INPUT_ENTRY}.12.{row}", "octet_str", t.media_name.encode()),
                o(f"{PRT_INPUT_ENTRY}.13.{row}", "octet_str", t.name.encode()),
            ]
        for s in self.supplies:
            row = f"1.{s.index}"
            objs += [
                o(f"{PRT_SUPPLIES_ENTRY}.2.{row}", "integer", s.marker_index),
                o(f"{PRT_SUPPLIES_ENTRY}.3.{row}", "integer", s.colorant_index),
                o(f"{PRT_SUPPLIES_ENTRY}.4.{row}", "integer", s.supply_class),
                o(f"{PRT_SUPPLIES_ENTRY}.5.{row}", "integer", s.type),
                o(f"{PRT_SUPPLIES_ENTRY}.6.{row}", "octet_str", s.description.encode()),
                o(f"{PRT_SUPPLIES_ENTRY}.7.{row}", "integer", s.unit),
                o(f"{PRT_SUPPLIES_ENTRY}.8.{row}", "integer", s.max_capacity),
                o(f"{PRT_SUPPLIES_ENTRY}.9.{row}", "integer", s.level),
            ]
        for c in self.colorants:
            row = f"1.{c.index}"
            objs += [
                o(f"{PRT_COLORANT_ENTRY}.2.{row}", "integer", c.marker_index),
                o(f"{PRT_COLORANT_ENTRY}.3.{row}", "integer", c.role),
                o(f"{PRT_COLORANT_ENTRY}.4.{row}", "octet_str", c.value.encode()),
                o(f"{PRT_COLORANT_ENTRY}.5.{row}", "integer", c.tonality),
            ]
        for line, text in enumerate(self.console_lines, start=1):
            objs.append(o(f"{PRT_CONSOLE_DISPLAY_ENTRY}.2.1.{line}", "octet_str", text.encode()))
        return objs


DEFAULT_PRINTER = PrinterSpec()


@dataclass(frozen=True)
class UsmUser:
    """An SNMPv3 USM user at authPriv; protocols use Net-SNMP's spelling (`SHA-256`, `AES-256`)."""

    name: str
    auth_protocol: str
    priv_protocol: str
    auth_key: str = "authkey-1234"
    priv_key: str = "privkey-5678"

    def cli_args(self) -> list[str]:
        """Return the Net-SNMP command-line options that authenticate as this user."""
        return [
            "-v3", "-l", "authPriv", "-u", self.name,
            "-a", self.auth_protocol, "-A", self.auth_key,
            "-x", self.priv_protocol, "-X", self.priv_key,
        ]  # fmt: skip

    def snmpsim_args(self) -> list[str]:
        """Return the snmpsim-command-responder options that define this user."""
        return [
            f"--v3-user={self.name}",
            f"--v3-auth-key={self.auth_key}",
            f"--v3-auth-proto={SNMPSIM_PROTOCOLS[self.auth_protocol]}",
            f"--v3-priv-key={self.priv_key}",
            f"--v3-priv-proto={SNMPSIM_PROTOCOLS[self.priv_protocol]}",
        ]


USM_USERS: tuple[UsmUser, ...] = (
    UsmUser("usr-sha-aes", "SHA", "AES"),
    UsmUser("usr-sha256-aes", "SHA-256", "AES"),
    UsmUser("usr-sha512-aes256", "SHA-512", "AES-256"),
    UsmUser("usr-md5-aes", "MD5", "AES"),
    # SHA-1 gives 20 bytes but AES-256 needs 32: only this pairing exercises key extension
    # (Blumenthal in Net-SNMP); with SHA-512 both extension variants give the same key.
    UsmUser("usr-sha-aes256", "SHA", "AES-256"),
)


def net_snmp_env(state_dir: Path) -> dict[str, str]:
    """Return an environment for Net-SNMP programs that keeps their state in `state_dir`.

    SNMP_PERSISTENT_DIR stops v3 state leaking into /var/lib/snmp, SNMPCONFPATH hides the
    host's snmp.conf files, and an empty MIBS stops the (incomplete) Debian MIB set loading.
    """
    env = dict(os.environ)
    env["SNMP_PERSISTENT_DIR"] = str(state_dir / "persist")
    env["SNMPCONFPATH"] = str(state_dir / "conf")
    env["MIBS"] = ""
    (state_dir / "conf").mkdir(parents=True, exist_ok=True)
    return env


def _check_loopback(host: str) -> None:
    """Refuse any address outside 127.0.0.0/8: test agents never face a network."""
    if not ipaddress.IPv4Address(host).is_loopback:
        raise ValueError(f"test agents bind to 127.0.0.0/8 only, not {host}")


def _free_udp_port(host: str) -> int:
    """Return a UDP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _require(program: str) -> str:
    """Return the path of a Net-SNMP program, or explain how to install it."""
    path = shutil.which(program)
    if path is None:
        raise AgentError(f"{program} not found: run `make system-deps` (Debian package snmp)")
    return path


@dataclass
class _Process:
    """A child agent process, its private directory and its readiness probe."""

    name: str
    host: str
    port: int
    start_timeout: float
    probe_community: str
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _workdir: Path | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        _check_loopback(self.host)
        if self.port == 0:
            self.port = _free_udp_port(self.host)

    @property
    def workdir(self) -> Path:
        """The private temporary directory; it exists from `make_workdir` until `stop`."""
        if self._workdir is None:
            raise AgentError(f"{self.name} not started")
        return self._workdir

    @property
    def cli_env(self) -> dict[str, str]:
        """Environment for Net-SNMP client tools, with state kept in the workdir."""
        return net_snmp_env(self.workdir / "client")

    @property
    def log_path(self) -> Path:
        """Where the agent's stdout and stderr go."""
        return self.workdir / "agent.log"

    def make_workdir(self) -> Path:
        """Create the private temporary directory (config, state, copies, log)."""
        self._workdir = Path(tempfile.mkdtemp(prefix=f"printscout-{self.name}-"))
        return self._workdir

    def start(self, argv: Sequence[str], env: dict[str, str]) -> None:
        """Start `argv` and block until it answers an SNMPv2c GET, or raise AgentError."""
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def _wait_until_answering(self) -> None:
        """Poll with snmpget until the agent answers; fail fast if it exits.

        Before the agent binds, a probe is lost (Net-SNMP ignores ICMP port-unreachable) and
        costs its whole timeout, so the timeout starts short and doubles up to 0.8 s.
        """
        assert self.proc is not None
        snmpget = _require("snmpget")
        cli_env = self.cli_env
        deadline = time.monotonic() + self.start_timeout
        timeout = 0.05
        while True:
            if self.proc.poll() is not None:
                raise AgentError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            probe = [snmpget, "-v2c", "-c", self.probe_community, "-t", str(timeout), "-r", "0"]
            probe += [f"{self.host}:{self.port}", SYS_OBJECT_ID_0]
            if subprocess.run(probe, check=False, env=cli_env, capture_output=True).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise AgentError(f"{self.name} silent after {self.start_timeout} s:\n{self.log()}")
            timeout = min(timeout * 2, 0.8)

    def log(self, limit: int = 4000) -> str:
        """Return the end of the agent's log."""
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the agent (SIGTERM, then SIGKILL) and delete its directory."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


class _Agent:
    """Shared context-manager plumbing for the agent classes."""

    _process: _Process

    @property
    def host(self) -> str:
        """The loopback address the agent listens on."""
        return self._process.host

    @property
    def port(self) -> int:
        """The UDP port the agent listens on."""
        return self._process.port

    @property
    def target(self) -> str:
        """`host:port`, as Net-SNMP tools take it."""
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        """The agent's process id (for CPU accounting in benchmarks)."""
        if self._process.proc is None:
            raise AgentError("agent not started")
        return self._process.proc.pid

    @property
    def workdir(self) -> Path:
        """The agent's private temporary directory (created on start, removed on stop)."""
        return self._process.workdir

    @property
    def cli_env(self) -> dict[str, str]:
        """Environment for Net-SNMP client tools talking to this agent."""
        return self._process.cli_env

    def log(self) -> str:
        """Return the end of the agent's log, for failure messages."""
        return self._process.log()

    def start(self) -> None:
        """Start the agent and wait until it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the agent and remove its files."""
        self._process.stop()

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        self.stop()
        return False


class NetSnmpAgent(_Agent):
    """Net-SNMP's snmpd serving a printer (`spec`) to community `public` and the USM users."""

    def __init__(
        self,
        spec: PrinterSpec = DEFAULT_PRINTER,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        users: Sequence[UsmUser] = USM_USERS,
        community: str = "public",
        extra_conf: Sequence[str] = (),
        start_timeout: float = 10.0,
    ) -> None:
        self.spec = spec
        self.users = tuple(users)
        self.community = community
        self.extra_conf = tuple(extra_conf)
        self._process = _Process("snmpd", host, port, start_timeout, community)

    @property
    def conf_path(self) -> Path:
        """The generated snmpd.conf."""
        return self.workdir / "snmpd.conf"

    def render_conf(self) -> str:
        """Return the snmpd.conf text: access control, users, then the printer's objects."""
        lines = [
            "# Generated by tests/support/agents.py for one test run.",
            "dontLogTCPWrappersConnects yes",
            f"rocommunity {self.community} 127.0.0.0/8",
        ]
        for user in self.users:
            lines.append(
                f'createUser {user.name} {user.auth_protocol} "{user.auth_key}" '
                f'{user.priv_protocol} "{user.priv_key}"'
            )
            lines.append(f"rouser {user.name} priv")
        lines += [_conf_line(obj) for obj in self.spec.objects()]
        lines += self.extra_conf
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        """Write the config, start snmpd in the foreground and wait until it answers."""
        if not SNMPD.exists():
            raise AgentError(f"{SNMPD} not found: run `make system-deps` (Debian package snmpd)")
        conf = self.render_conf()
        self._process.make_workdir()
        self.conf_path.write_text(conf)
        argv = [
            str(SNMPD), "-f", "-Lo", "-C", "-c", str(self.conf_path),
            "-p", str(self.workdir / "snmpd.pid"), "-I", SNMPD_MODULES,
            f"udp:{self.target}",
        ]  # fmt: skip
        self._process.start(argv, net_snmp_env(self.workdir / "agent"))


def _conf_line(obj: MibObject) -> str:
    """Render one object as a system_mib directive or an `override` line."""
    directive = SYSTEM_DIRECTIVES.get(obj.oid)
    if directive is None:
        return f"override {obj.oid} {obj.kind} {_override_value(obj)}"
    text = obj.value.decode() if isinstance(obj.value, bytes) else str(obj.value)
    if text != text.strip() or "\n" in text or not text:
        raise ValueError(f"{directive} cannot carry {text!r}: snmpd strips and splits lines")
    return f"{directive} {text}"


def _override_value(obj: MibObject) -> str:
    """Render an override value; strings go as hex so any byte (quotes, UTF-8, NUL) survives."""
    if isinstance(obj.value, bytes):
        return f"0x{obj.value.hex()}" if obj.value else '""'
    return str(obj.value)


class SnmpsimAgent(_Agent):
    """snmpsim serving copies of .snmprec recordings; each file's stem is its community.

    Over SNMPv3 (`v3_user`) the context name selects the recording, again by stem.
    """

    def __init__(
        self,
        recordings: Sequence[Path],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        v3_user: UsmUser | None = None,
        start_timeout: float = 20.0,
    ) -> None:
        self.recordings = tuple(Path(path) for path in recordings)
        self.communities = tuple(path.stem for path in self.recordings)
        if not self.recordings or len(set(self.communities)) != len(self.communities):
            raise ValueError(f"need recordings with distinct names, got {self.communities}")
        self.v3_user = v3_user
        self._process = _Process("snmpsim", host, port, start_timeout, self.communities[0])

    @property
    def data_dir(self) -> Path:
        """The temporary directory holding the copied recordings."""
        return self.workdir / "data"

    def start(self) -> None:
        """Copy the recordings, start snmpsim-command-responder and wait until it answers."""
        responder = Path(sys.executable).parent / "snmpsim-command-responder"
        if not responder.exists():
            raise AgentError(f"{responder} not found: snmpsim is not installed in this venv")
        self._process.make_workdir()
        self.data_dir.mkdir()
        # snmpsim compares whole-second mtimes and rebuilds an index as old as its data file
        # on the first request, so the copies are back-dated.
        past = time.time() - 60
        for path in self.recordings:
            copy = self.data_dir / path.name
            shutil.copyfile(path, copy)
            os.utime(copy, (past, past))
        argv = [
            str(responder),
            f"--data-dir={self.data_dir}",
            f"--cache-dir={self.workdir / 'cache'}",
            f"--agent-udpv4-endpoint={self.target}",
        ]
        if self.v3_user is not None:
            argv += self.v3_user.snmpsim_args()
        env = dict(os.environ, SNMPSIM_ALLOW_ROOT="true")
        self._process.start(argv, env)


class SnmpsimFactory(Protocol):
    """What the `snmpsim_factory` fixture yields: start an agent that is stopped after the test."""

    def __call__(
        self, recordings: Sequence[Path], *, v3_user: UsmUser | None = None
    ) -> SnmpsimAgent:
        """Start an SnmpsimAgent serving `recordings`."""
        ...
