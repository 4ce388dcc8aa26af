"""``printscout collector run``: check in, discover and poll on the server's schedule, store
every reading in the outbox first, upload it until acknowledged, stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import orjson

from printscout import __version__
from printscout.collector.enrolment import make_key_and_csr, renewal_due, stage_renewal
from printscout.collector.errors import OutboxFull, UploadError
from printscout.collector.maintenance import Updater, cache_bundle_key
from printscout.collector.outbox import Outbox, OutboxBatch
from printscout.collector.poller import Poller, encode_readings
from printscout.collector.settings import CollectorSettings
from printscout.collector.spill import Spill
from printscout.collector.uploader import Backoff, Uploader
from printscout.collector.watchdog import Notifier
from printscout.domain.control import CheckinReport, CollectorConfig, Command, CommandResult
from printscout.domain.wire import ObservedReading
from printscout.protocols.snmp.client import SnmpEngine

log = logging.getLogger("printscout.collector")
LOG_TAIL_BYTES = 64 * 1024


class CollectorAgent:
    """The collector process: one event loop, four cooperating loops."""

    def __init__(self, settings: CollectorSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings.outbox_path, int(settings.outbox_max_mb * 1024 * 1024))
        self.spill = Spill(settings.spill_max_readings)
        # Acknowledged by the server but not yet recorded in the outbox (its disk was full).
        self._unrecorded: dict[UUID, str] = {}
        self.uploader = Uploader(settings)
        self.config: CollectorConfig | None = _load_config(settings.data_dir / "config.json")
        self.notifier = Notifier.from_environment() if settings.watchdog else Notifier(None)
        self._stop = asyncio.Event()
        self._wake_upload = asyncio.Event()
        self._discover_now = asyncio.Event()
        self._poll_now = asyncio.Event()
        self._last_upload: str | None = None
        self._devices = 0
        self._bundle_key = False  # fetched once per start: a replaced server key is picked up
        self.updater = Updater(settings)
        self.failed = False
        self.restart = False  # a new release is installed: exit with RESTART_EXIT_CODE

    async def run(self) -> None:
        """Run until SIGTERM or SIGINT; the outbox keeps whatever was not acknowledged."""
        self._handle_signals()
        async with SnmpEngine() as engine:
            poller = Poller(engine, self.settings.snmp_timeout_s, self.settings.snmp_retries)
            tasks = [
                asyncio.create_task(self._checkin_loop()),
                asyncio.create_task(self._collect_loop(poller)),
                asyncio.create_task(self._upload_loop()),
                asyncio.create_task(self._watchdog_loop()),
            ]
            for task in tasks:
                task.add_done_callback(self._crashed)
            self.notifier.notify("READY=1\nSTATUS=running")
            await self._stop.wait()
            self.notifier.notify("STOPPING=1")
            upload = tasks[2]
            for task in tasks:
                if task is not upload:
                    task.cancel()
            # An upload under way may finish, so that a batch the server stored is recorded as
            # acknowledged rather than sent again at the next start; the loop then ends itself.
            await asyncio.wait([upload], timeout=self.settings.stop_grace_s)
            upload.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.uploader.aclose()
        self._write_status()
        self.outbox.close()

    def _crashed(self, task: asyncio.Task[None]) -> None:
        """A loop that ends on its own is a bug: log it and stop, so the supervisor restarts
        the whole process (the outbox keeps everything)."""
        if task.cancelled() or (self._stop.is_set() and task.exception() is None):
            return
        error = task.exception()
        log.critical("collector loop failed", exc_info=error)
        self.failed = True
        self._stop.set()

    def _handle_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._stop.set)
            except NotImplementedError:
                # Windows' event loop has no signal handlers; the service wrapper's stop
                # (Ctrl-C / SIGTERM emulation) lands here instead.
                signal.signal(sig, lambda *_: loop.call_soon_threadsafe(self._stop.set))

    async def _sleep(self, seconds: float, *events: asyncio.Event) -> None:
        """Sleep, cut short by stop or any of ``events``."""
        waits = [asyncio.ensure_future(e.wait()) for e in (self._stop, *events)]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def _checkin_loop(self) -> None:
        backoff = Backoff(self.settings.backoff_base_s, self.settings.backoff_max_s)
        while not self._stop.is_set():
            try:
                config = await self.uploader.checkin(self._report())
            except UploadError as exc:
                log.warning("check-in failed", extra={"error": str(exc)})
                await self._sleep(backoff.next_delay())
                continue
            backoff.reset()
            self._adopt(config)
            if not self._bundle_key:
                self._bundle_key = await cache_bundle_key(self.uploader, self.settings)
            await self._renew_if_due()
            for command in config.commands:
                await self._run_command(command)
            if await self.updater.check(self.uploader, config.release):
                self.restart = True
                self._stop.set()  # a clean shutdown first: the outbox keeps what is queued
            await self._sleep(config.checkin_every_s)

    def _adopt(self, config: CollectorConfig) -> None:
        if self.config is None or config.model_dump() != self.config.model_dump():
            path = self.settings.data_dir / "config.json"
            try:
                path.write_bytes(orjson.dumps(config.model_dump(mode="json", by_alias=True)))
            except OSError as exc:  # a full disk: the configuration is used from memory
                log.warning("configuration not saved", extra={"error": str(exc)})
            if self.config is None or config.ranges != self.config.ranges:
                self._discover_now.set()
        self.config = config

    async def _renew_if_due(self) -> None:
        """Swap in a new certificate when a third of the current one's lifetime is left."""
        if not renewal_due(self.settings):
            return
        key_pem, csr_pem = make_key_and_csr(self.settings.collector_id or "collector")
        try:
            cert_pem = await self.uploader.renew(csr_pem)
        except UploadError as exc:
            log.warning("certificate renewal failed", extra={"error": str(exc)})
            return
        stage_renewal(self.settings, key_pem, cert_pem)
        await self.uploader.reload()
        log.info("certificate renewed")

    async def _run_command(self, command: Command) -> None:
        detail = ""
        if command.kind == "discover":
            self._discover_now.set()
        elif command.kind == "poll":
            self._poll_now.set()
        else:
            detail = _log_tail(self.settings.log_path)
        try:
            await self.uploader.command_done(command.id, CommandResult(ok=True, detail=detail))
        except UploadError as exc:
            log.warning("command result not sent", extra={"error": str(exc)})

    async def _collect_loop(self, poller: Poller) -> None:
        next_discover = next_poll = next_identity = 0.0
        while not self._stop.is_set():
            config = self.config
            if config is None:
                await self._sleep(1.0, self._discover_now)
                continue
            now = time.monotonic()
            schedule = config.schedule.model_copy(
                update={
                    name: getattr(config.schedule, name) / self.settings.time_scale
                    for name in ("discover_every_s", "poll_every_s", "identity_every_s")
                }
            )
            if self._discover_now.is_set() or now >= next_discover:
                self._discover_now.clear()
                readings = await poller.discover(config.ranges)
                self._store(readings, identity=True)
                next_discover = now + schedule.discover_every_s
                next_identity = now + schedule.identity_every_s
                next_poll = now + schedule.poll_every_s
            elif self._poll_now.is_set() or now >= next_poll:
                self._poll_now.clear()
                identity = now >= next_identity
                self._store(await poller.poll(), identity=identity)
                next_identity = now + schedule.identity_every_s if identity else next_identity
                next_poll = now + schedule.poll_every_s
            self._devices = len(poller.targets)
            if poller.last_cycle is not None:
                log.info(poller.last_cycle.describe(), extra={"failed": poller.last_cycle.failed})
                poller.last_cycle = None
            wait = min(next_discover, next_poll) - time.monotonic()
            await self._sleep(max(wait, 0.0), self._discover_now, self._poll_now)

    def _store(self, readings: list[ObservedReading], *, identity: bool) -> None:
        salt = self._mask_salt() if self.config and self.config.schedule.mask_addresses else None
        encoded = encode_readings(readings, mask_salt=salt)
        if encoded:
            log.info("%d readings read", len(encoded))
        dropped = self.spill.store(self.outbox, encoded, identity=identity)
        if dropped:
            log.warning("outbox cap reached", extra={"dropped": dropped})
        self._wake_upload.set()

    def _mask_salt(self) -> bytes:
        path = self.settings.identity_dir / "mask.key"
        if not path.exists():
            path.write_bytes(secrets.token_bytes(32))
        return path.read_bytes()

    async def _upload_loop(self) -> None:
        backoff = Backoff(self.settings.backoff_base_s, self.settings.backoff_max_s)
        with suppress(OutboxFull):
            self.outbox.prune()
        while not self._stop.is_set():
            self._wake_upload.clear()
            batches = self._next_batches()
            if not batches:
                self._write_status()
                # Something waits for disk space: look again soon, not only after a poll.
                waiting = self._unrecorded or self.spill.count
                await self._sleep(backoff.next_delay() if waiting else 60.0, self._wake_upload)
                continue
            try:
                outcome = await self.uploader.upload(batches)
            except UploadError as exc:
                delay = backoff.next_delay()
                log.warning("upload failed; next try in %.2f s", delay, extra={"error": str(exc)})
                await self._sleep(delay)
                continue
            self._acknowledge(outcome.delivered, "acked")
            log.info(
                "uploaded %d batches (%d already stored)",
                len(outcome.delivered),
                outcome.already,
            )
            self._acknowledge(outcome.refused, "rejected")
            for batch_id in outcome.refused:
                log.error("batch refused by the server", extra={"batch_id": str(batch_id)})
            self._last_upload = datetime.now(UTC).isoformat()
            if outcome.retry:
                await self._sleep(backoff.next_delay())
            else:
                backoff.reset()

    def _next_batches(self) -> list[OutboxBatch]:
        """Record what a full disk held back, seal new readings, and the batches to send
        next (never one the server already acknowledged)."""
        try:
            for state in ("acked", "rejected"):
                ids = [b for b, s in self._unrecorded.items() if s == state]
                self.outbox.acknowledge(ids, state=state)
                for batch_id in ids:
                    del self._unrecorded[batch_id]
            self.spill.flush(self.outbox)
            self.outbox.seal(self.settings.batch_readings)
        except OutboxFull as exc:
            log.warning("outbox disk full", extra={"error": str(exc)})
        limit = self.settings.batches_per_request + len(self._unrecorded)
        batches = self.outbox.pending_batches(limit)
        return [b for b in batches if b.batch_id not in self._unrecorded]

    def _acknowledge(self, batch_ids: list[UUID], state: str) -> None:
        """Record the server's answer; on a full disk, remember it until it can be written."""
        try:
            self.outbox.acknowledge(batch_ids, state=state)
        except OutboxFull as exc:
            log.warning("acknowledgement kept in memory", extra={"error": str(exc)})
            self._unrecorded.update(dict.fromkeys(batch_ids, state))

    async def _watchdog_loop(self) -> None:
        """Ping systemd from the event loop itself: a hung loop stops the pings."""
        interval = self.notifier.watchdog_interval() or 10.0
        while not self._stop.is_set():
            self.notifier.notify("WATCHDOG=1")
            self._write_status()
            await self._sleep(interval)

    def _report(self) -> CheckinReport:
        stats = self.outbox.stats()
        return CheckinReport(
            version=__version__, devices=self._devices, outbox_batches=stats.batches,
            outbox_readings=stats.readings, outbox_bytes=stats.bytes,
            outbox_full=stats.full or self.spill.count > 0,
            dropped_readings=stats.dropped + self.spill.dropped,
            unsaved_readings=self.spill.count, last_upload_at=self._last_upload,
        )  # fmt: skip

    def _write_status(self) -> None:
        status = {
            **self._report().model_dump(),
            "pid": os.getpid(),
            "written_at": datetime.now(UTC).isoformat(),
            "server_url": self.settings.server_url,
            "collector_id": self.settings.collector_id,
        }
        path = self.settings.status_path
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.write_bytes(orjson.dumps(status))
            os.replace(temporary, path)
        except OSError as exc:  # a full disk must not stop the service
            log.warning("status not written", extra={"error": str(exc)})


def _load_config(path: Path) -> CollectorConfig | None:
    """The last configuration received, so a restart works while the server is down."""
    with suppress(OSError, ValueError):
        return CollectorConfig.model_validate_json(path.read_bytes())
    return None


def _log_tail(path: Path) -> str:
    with suppress(OSError), path.open("rb") as log_file:
        log_file.seek(0, os.SEEK_END)
        log_file.seek(max(0, log_file.tell() - LOG_TAIL_BYTES))
        return log_file.read().decode(errors="replace")
    return ""
