"""Fault 2: the network between collector and server fails in the middle of an upload, through
a TCP forwarder on loopback: (a) the connection is cut while the request body is being sent,
(b) the server receives the whole request and stores it, but its answer never reaches the
collector. The collector sends the same batches again; the server stores them once."""

from __future__ import annotations

from tests.faults.conftest import POLL_EVERY_S, TIME_SCALE, MakeCollector
from tests.faults.forwarder import forwarding
from tests.faults.ledger import already_stored, polls, readings_read, report
from tests.support.collector_service import (
    ServerProcess,
    assert_exactly_once,
    delivery,
    enrolled_site,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 17162
PRINTERS = 12
# The TLS handshake (client certificate included) takes about 1.5 KB, a check-in about 0.7 KB
# more, request headers a few hundred bytes; the backlog's upload (300 readings, zstd) is well
# over the threshold beyond that, so the cut lands inside its body (checked below).
THRESHOLD = 4 * 1024
BACKLOG = 300


def test_it_stores_a_batch_once_when_the_network_fails_mid_upload(
    server: ServerProcess, make_collector: MakeCollector
) -> None:
    collector = make_collector(
        batch_readings="100", batches_per_request="10", time_scale=str(2 * TIME_SCALE)
    )
    token = enrolled_site(
        server,
        "127.91.2.1-127.91.2.12",
        SNMP_PORT,
        poll_every=POLL_EVERY_S,
        site_name="network-cut",
    )
    with (
        forwarding(server.port, THRESHOLD) as network,
        simulated_fleet("127.91.2.0/24", PRINTERS, SNMP_PORT),
    ):
        collector.enroll(f"https://127.0.0.1:{network.port}", token)
        collector.start()
        wait_for(lambda: polls(collector), what="configuration and a first poll")
        network.go_down()  # a backlog first: the next upload is one large request
        wait_for(lambda: collector.pending_readings() >= BACKLOG, what="backlog")
        before = delivery(server, collector).stored
        # The second cut takes the network down again at once: no later upload can slip
        # through (and be stored) before the check below.
        network.cut_requests, network.down_after_cuts, network.refuse = 2, True, False
        wait_for(lambda: network.cuts == 2, what="two uploads cut mid-body")
        assert delivery(server, collector).stored == before  # neither cut request was stored
        network.hold_responses, network.refuse = 1, False
        wait_for(lambda: network.held == 1, what="an answer held back")
        stored_unanswered = wait_for(
            lambda: delivery(server, collector).stored - before, what="the held request stored"
        )
        network.cut_held()
        wait_for(lambda: already_stored(collector) > 0, what="the batches sent again")
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    found = delivery(server, collector)
    report(
        "network-cut", found, cuts=network.cuts, answers_lost=network.held,
        resent_batches=already_stored(collector), largest_request=network.largest_request,
    )  # fmt: skip
    # A whole upload carried 2 KB beyond the cut point: the cuts were inside its body.
    assert network.largest_request > THRESHOLD + 2048
    assert stored_unanswered > 0
    assert readings_read(collector) == found.produced
    assert assert_exactly_once(server, collector) == found.produced
