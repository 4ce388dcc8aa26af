"""Wiring alerts into the app: the service and dispatcher from the settings, and the
background loops (sweep, outbox) that run while the server serves."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
from fastapi import FastAPI

from printscout.server.alerts.notify.dispatch import DispatchConfig, Dispatcher
from printscout.server.alerts.notify.email import SmtpConfig
from printscout.server.alerts.service import AlertConfig, AlertService
from printscout.server.settings import AlertSettings, ServerSettings
from printscout.storage.session import Database

log = logging.getLogger("printscout.alerts")


def alert_config(a: AlertSettings) -> AlertConfig:
    """The service's view of the settings."""
    return AlertConfig(
        sweep_interval=timedelta(seconds=a.sweep_interval_s),
        forecast_interval=timedelta(seconds=a.forecast_interval_s),
        history=timedelta(days=a.history_days),
    )


def dispatch_config(a: AlertSettings) -> DispatchConfig:
    """The dispatcher's view of the settings."""
    smtp = None
    if a.smtp_host:
        smtp = SmtpConfig(
            host=a.smtp_host,
            port=a.smtp_port,
            tls=a.smtp_tls,
            username=a.smtp_username,
            password=a.smtp_password.get_secret_value() if a.smtp_password else None,
            sender=a.smtp_from,
            ca_file=a.smtp_ca_file,
            timeout_s=a.smtp_timeout_s,
        )
    return DispatchConfig(
        smtp=smtp,
        max_attempts=a.max_attempts,
        backoff=timedelta(seconds=a.backoff_s),
        webhook_timeout_s=a.webhook_timeout_s,
        webhook_allowed_networks=tuple(a.webhook_allowed_networks),
    )


def install(app: FastAPI, settings: ServerSettings, db: Database) -> AlertService:
    """Put the alert service and dispatcher on ``app.state``; returns the service."""
    service = AlertService(db, alert_config(settings.alerts))
    app.state.alerts = service
    app.state.alert_dispatcher = Dispatcher(db, dispatch_config(settings.alerts))
    return service


@asynccontextmanager
async def background(app: FastAPI) -> AsyncIterator[None]:
    """Run the sweep and the outbox sender while the block runs (if the settings say so)."""
    a: AlertSettings = app.state.settings.alerts
    if not a.background:
        yield
        return
    service: AlertService = app.state.alerts
    dispatcher: Dispatcher = app.state.alert_dispatcher

    async def sweep() -> None:
        await anyio.to_thread.run_sync(service.sweep)

    async with anyio.create_task_group() as group:
        group.start_soon(_every, a.sweep_interval_s, sweep)
        group.start_soon(_every, a.dispatch_interval_s, dispatcher.run_once)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


async def _every(seconds: float, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await work()
        except Exception:  # a database hiccup must not stop the loop; the next round retries
            log.exception("alert background round failed")
        await anyio.sleep(seconds)
