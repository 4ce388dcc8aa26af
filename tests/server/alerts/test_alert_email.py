"""Email notifications received by a real SMTP server (aiosmtpd) over STARTTLS and TLS."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from printscout.server.alerts.notify.dispatch import DispatchConfig, Dispatcher
from printscout.server.alerts.notify.email import SmtpConfig, send_email
from printscout.server.alerts.rules import Finding, RuleKind
from printscout.simulator.tls import self_signed_certificate
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import Delivery
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_channel, add_rule, collector_subject, evaluate
from tests.server.alerts.smtp_server import PASSWORD, USER, smtp_server

pytestmark = pytest.mark.anyio

NOTICE: dict[str, Any] = {
    "schema": "printscout.alert-notice/1",
    "event": "opened",
    "rule": {"id": 1, "name": "Toner low", "kind": "supply_low"},
    "alert": {
        "id": 7,
        "message": "HP M555 PSHP000001 (10.1.0.2): Black Cartridge is low (4 %)",
        "severity": "warning",
        "opened_at": "2026-12-05T10:00:00+00:00",
    },
}


def config(port: int, ca_file: Path, **kw: Any) -> SmtpConfig:
    values: dict[str, Any] = {"username": USER, "password": PASSWORD, "sender": "ps@dealer.test"}
    return SmtpConfig("127.0.0.1", port, ca_file=ca_file, timeout_s=10, **(values | kw))


async def test_it_sends_over_starttls_with_a_login(tmp_path: Path) -> None:
    async with smtp_server(tmp_path, "starttls") as server:
        outcome = await send_email(
            config(server.port, server.ca_file), "a@cust.test, b@cust.test", NOTICE
        )
    assert outcome.ok, outcome.error
    (mail,) = server.mailbox.messages
    assert server.mailbox.over_tls == [True]
    assert server.mailbox.recipients == [["a@cust.test", "b@cust.test"]]
    assert mail["Subject"].startswith("[PrintScout] opened: HP M555")
    assert mail["From"] == "ps@dealer.test"
    assert "Rule: Toner low (supply_low)" in mail.get_payload()


async def test_it_sends_over_implicit_tls(tmp_path: Path) -> None:
    async with smtp_server(tmp_path, "tls") as server:
        outcome = await send_email(
            config(server.port, server.ca_file, tls="tls"), "ops@dealer.test", NOTICE
        )
    assert outcome.ok, outcome.error
    assert server.mailbox.over_tls == [True]


async def test_it_refuses_a_server_whose_certificate_it_does_not_trust(tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    other.write_bytes(self_signed_certificate(["127.0.0.1"])[0])
    async with smtp_server(tmp_path, "starttls") as server:
        outcome = await send_email(config(server.port, other), "ops@dealer.test", NOTICE)
    assert not outcome.ok
    assert not outcome.permanent  # a certificate may be fixed: worth trying again later
    assert "CERTIFICATE_VERIFY_FAILED" in (outcome.error or "")
    assert server.mailbox.messages == []


async def test_it_calls_a_refused_recipient_permanent(tmp_path: Path) -> None:
    async with smtp_server(tmp_path, "starttls") as server:
        server.mailbox.refuse.add("gone@cust.test")
        outcome = await send_email(config(server.port, server.ca_file), "gone@cust.test", NOTICE)
    assert (outcome.ok, outcome.permanent) == (False, True)


async def test_it_calls_a_wrong_password_permanent(tmp_path: Path) -> None:
    async with smtp_server(tmp_path, "starttls") as server:
        cfg = config(server.port, server.ca_file, password="wrong-password-x")
        outcome = await send_email(cfg, "ops@dealer.test", NOTICE)
    assert (outcome.ok, outcome.status_code, outcome.permanent) == (False, 535, True), outcome


async def test_it_delivers_an_alert_from_the_outbox_by_email(
    tmp_path: Path, db: Database, collector: CollectorRecord
) -> None:
    channel = add_channel(db, collector.dealer_id, "email", "ops@dealer.test", None)
    rule = add_rule(db, collector.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel])
    now = datetime.now(UTC)
    evaluate(db, rule, collector_subject(collector), [Finding("silent", "hq-01 silent")], now)
    async with smtp_server(tmp_path, "starttls") as server:
        dispatcher = Dispatcher(db, DispatchConfig(smtp=config(server.port, server.ca_file)))
        assert await dispatcher.run_once(now) == 1
    (mail,) = server.mailbox.messages
    assert mail["Subject"] == "[PrintScout] opened: hq-01 silent"
    with db.reader() as session:
        assert session.scalars(select(Delivery.state)).all() == ["delivered"]
