"""The webhook destination guard as a pure decision: which resolved addresses may receive a post.

The addresses below are inputs to a classification, never destinations: every test here runs
with the socket layer disabled (``no_network``), so a connection, a datagram or a name lookup
would fail the test instead of leaving the machine. The end-to-end refusal (a real receiver on
loopback that never gets the post) is in ``test_alert_webhook.py``.
"""

from __future__ import annotations

import socket
from ipaddress import ip_address, ip_network
from typing import Any, NoReturn

import pytest

from printscout.server.alerts.notify import destinations

NON_PUBLIC = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
              "100.64.0.1", "192.0.2.7", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1",
              "::ffff:127.0.0.1", "::ffff:169.254.169.254"]  # fmt: skip
PUBLIC = ["8.8.8.8", "2001:4860:4860::8888"]  # global unicast, as a resolver might answer
EVERYWHERE = [ip_network("0.0.0.0/0"), ip_network("::/0")]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> NoReturn:
        raise AssertionError("a destination test touched the network")

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_it_refuses_non_public_addresses_unless_their_network_is_allowed(address: str) -> None:
    assert destinations.refusal([ip_address(address)]) is not None
    assert destinations.refusal([ip_address(address)], EVERYWHERE) is None


def test_it_lets_public_addresses_through_and_refuses_a_mix() -> None:
    public = [ip_address(a) for a in PUBLIC]
    assert destinations.refusal(public) is None
    assert destinations.refusal([*public, ip_address(NON_PUBLIC[1])]) is not None


@pytest.mark.anyio
async def test_it_refuses_what_is_not_an_http_url_and_judges_literals_without_lookup() -> None:
    assert await destinations.check("file:///etc/passwd") is not None
    assert await destinations.check("http://[::1]:8080/x") is not None
    assert await destinations.check(f"http://{NON_PUBLIC[1]}/x", [ip_network("10.0.0.0/8")]) is None
    with pytest.raises(AssertionError, match="touched the network"):
        await destinations.check("http://printscout.test/x")  # a name needs a lookup: refused
