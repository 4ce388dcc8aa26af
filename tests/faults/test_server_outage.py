"""Fault 1: the server is down for an hour of the collector's schedule (compressed: 12 polls of
five minutes at 0.2 s each). The outbox grows, uploads back off, and once the server is back
everything drains: every reading produced is stored once."""

from __future__ import annotations

from tests.faults.conftest import POLL_EVERY_S, MakeCollector
from tests.faults.ledger import backoff_delays, failed_uploads, polls, readings_read, report
from tests.support.collector_service import (
    ServerProcess,
    assert_exactly_once,
    delivery,
    enrolled_site,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 17161
PRINTERS = 4


def test_it_drains_an_hour_of_outage_exactly_once(
    server: ServerProcess, make_collector: MakeCollector
) -> None:
    collector = make_collector(batch_readings="20")
    token = enrolled_site(
        server, "127.91.1.1-127.91.1.8", SNMP_PORT, poll_every=POLL_EVERY_S, site_name="outage"
    )
    collector.enroll(server.url, token)
    with simulated_fleet("127.91.1.0/24", PRINTERS, SNMP_PORT):
        collector.start()
        wait_for(lambda: delivery(server, collector).stored, what="first upload")
        server.stop()
        down_at, failed_before = polls(collector), failed_uploads(collector)
        wait_for(lambda: polls(collector) >= down_at + 12, what="an hour of polls (12 × 5 min)")
        backlog = collector.pending_readings()
        failed = failed_uploads(collector) - failed_before
        delays = backoff_delays(collector)[-failed:]
        server.start(ready=False)  # its listener queues connections meanwhile
        wait_for(lambda: collector.pending_readings() < backlog, what="uploads again")
    # The fleet is gone: polls find nothing more, so the outbox drains completely.
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    found = delivery(server, collector)
    report(
        "server-down-hour", found, backlog=backlog, failed_uploads=failed,
        backoff_s="/".join(f"{d:.2f}" for d in delays),
    )  # fmt: skip
    assert backlog >= 12 * PRINTERS  # the hour's readings waited in the outbox
    assert failed >= 1  # it kept trying, with backoff between attempts
    assert readings_read(collector) == found.produced  # every reading read reached the outbox
    assert assert_exactly_once(server, collector) == found.produced
