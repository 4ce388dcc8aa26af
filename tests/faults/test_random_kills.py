"""Fault 3: the collector, the server or both are killed with SIGKILL at random moments while
polls and uploads run, and started again. The moments and victims come from a seeded random
generator (the seed is printed; PRINTSCOUT_FAULT_SEED replays a run). At the end every reading
the collector committed to its outbox is stored once."""

from __future__ import annotations

import os
import random
import signal
import time

from tests.faults.conftest import POLL_EVERY_S, MakeCollector
from tests.faults.ledger import already_stored, polls, readings_read, report
from tests.support.collector_service import (
    ServerProcess,
    assert_exactly_once,
    delivery,
    enrolled_site,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 17163
PRINTERS = 4
ROUNDS = 5


def test_it_delivers_exactly_once_across_random_kills(
    server: ServerProcess, make_collector: MakeCollector
) -> None:
    seed = int(os.environ.get("PRINTSCOUT_FAULT_SEED") or random.randrange(2**32))
    print(f"\nrandom kills: seed {seed} (PRINTSCOUT_FAULT_SEED={seed} replays the choices)")
    rng = random.Random(seed)
    # Small batches, one per request: most of the time some upload is in flight.
    collector = make_collector(batch_readings="4", batches_per_request="2")
    token = enrolled_site(
        server,
        "127.91.3.1-127.91.3.4",
        SNMP_PORT,
        poll_every=POLL_EVERY_S,
        site_name="random-kills",
    )
    collector.enroll(server.url, token)
    kills = {"collector": 0, "server": 0}
    # Each kind of kill at least once, in a random order, then random ones: a run of only
    # server kills (one seed in 243 with five free choices) would prove nothing of the collector.
    kinds: list[tuple[str, ...]] = [("collector",), ("server",), ("collector", "server")]
    plan = rng.sample(kinds, len(kinds)) + [rng.choice(kinds) for _ in range(ROUNDS - len(kinds))]
    with simulated_fleet("127.91.3.0/24", PRINTERS, SNMP_PORT):
        collector.start()
        wait_for(lambda: delivery(server, collector).stored, what="first upload")
        for victims in plan:
            # A random moment: a few polls on, then a random fraction of a poll interval.
            target = polls(collector) + rng.randint(1, 3)
            wait_for(lambda t=target: polls(collector) >= t, what="polls")  # type: ignore[misc]
            time.sleep(rng.uniform(0, 0.2))
            for victim in victims:
                kills[victim] += 1
                (collector if victim == "collector" else server).stop(signal.SIGKILL)
            if "server" in victims:
                server.start(ready=False)  # its listener queues connections meanwhile
            if "collector" in victims:
                collector.start()
        server.wait_ready()
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    found = delivery(server, collector)
    report(
        "random-kills", found, seed=seed, collector_kills=kills["collector"],
        server_kills=kills["server"], resent_batches=already_stored(collector),
        read_not_committed=readings_read(collector) - found.produced,
    )  # fmt: skip
    assert assert_exactly_once(server, collector) == found.produced > 0
