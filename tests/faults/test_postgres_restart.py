"""Fault 5: PostgreSQL restarts under the server while the collector uploads: a fast restart,
then an immediate stop (a crash) and a start. Meanwhile the server answers 503 with
Retry-After (never 500), afterwards it reconnects by itself, and the database ends up holding
every reading the collector produced once."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import POLL_EVERY_S, MakeCollector
from tests.faults.ledger import log_text, readings_read, report
from tests.faults.postgres import Cluster, private_postgres
from tests.support.collector_service import (
    CollectorProcess,
    ServerProcess,
    assert_exactly_once,
    delivery,
    enrolled_site,
    running_server,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 17165
PRINTERS = 4


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster."""
    with private_postgres("printscout") as found:
        yield found


def _upload_status(server: ServerProcess, collector: CollectorProcess) -> httpx.Response:
    """An empty upload with the collector's own certificate: what the server answers now."""
    identity = collector.data_dir / "identity"
    context = ssl.create_default_context(cafile=str(identity / "ca.pem"))
    context.load_cert_chain(identity / "collector.pem", identity / "collector.key")
    return httpx.post(f"{server.url}/api/v1/ingest", content=b"[]", verify=context, timeout=10)


def test_it_survives_postgresql_restarts_without_loss_or_duplicates(
    cluster: Cluster, tmp_path: Path, make_collector: MakeCollector
) -> None:
    collector = make_collector(batch_readings="4")
    with running_server(tmp_path / "server", cluster.url("printscout")) as server:
        token = enrolled_site(
            server,
            "127.91.5.1-127.91.5.4",
            SNMP_PORT,
            poll_every=POLL_EVERY_S,
            site_name="postgresql",
        )
        collector.enroll(server.url, token)
        with simulated_fleet("127.91.5.0/24", PRINTERS, SNMP_PORT):
            collector.start()
            wait_for(lambda: delivery(server, collector).stored, what="first upload")
            cluster.ctl("-m", "fast", "restart")
            after_restart = delivery(server, collector).stored
            wait_for(lambda: delivery(server, collector).stored > after_restart, what="reconnect")
            cluster.ctl("-m", "immediate", "stop")
            during = _upload_status(server, collector)
            wait_for(
                lambda: "503 Service Unavailable" in log_text(collector), what="collector told 503"
            )
            cluster.ctl("start")
            after_crash = delivery(server, collector).stored
            wait_for(lambda: delivery(server, collector).stored > after_crash, what="reconnect")
        wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
        collector.stop()
        found = delivery(server, collector)
        text = log_text(collector)
        report(
            "postgresql-restart", found, answers_503=text.count("503 Service Unavailable"),
            answers_500=text.count("500 Internal Server Error"), during_outage=during.status_code,
        )  # fmt: skip
        assert during.status_code == 503 and during.headers["retry-after"]
        assert "500 Internal Server Error" not in text
        assert readings_read(collector) == found.produced
        assert assert_exactly_once(server, collector) == found.produced
