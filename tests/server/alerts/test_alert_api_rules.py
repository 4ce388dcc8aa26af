"""/api/v1/alert-rules and /api/v1/notification-channels: create, change, delete, list,
read and write access by persona and customer scope."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.server.alerts.api_personas import api, as_user, personas

pytestmark = pytest.mark.anyio
RULES, CHANNELS = "/api/v1/alert-rules", "/api/v1/notification-channels"


async def test_it_creates_lists_changes_and_deletes_rules(
    settings: ServerSettings, db: Database
) -> None:
    p = personas(db)
    async with api(settings, db) as client:
        hook = await client.post(
            CHANNELS,
            json={"name": "ops", "kind": "webhook", "target": "https://hooks.dealer.test/ps",
                  "secret": "whsec-0123456789abcdef"},
            headers=as_user(p.admin),
        )  # fmt: skip
        assert hook.status_code == 201
        assert hook.json()["signed"] is True and "secret" not in hook.json()
        body = {
            "name": "Toner below 15 %", "kind": "supply_low", "threshold": 15,
            "customer_id": p.acme.customer_id, "channel_ids": [hook.json()["id"]],
            "renotify_minutes": 1440,
        }  # fmt: skip
        made = await client.post(RULES, json=body, headers=as_user(p.operator))
        assert made.status_code == 201, made.text
        rule = made.json()
        assert (rule["kind"], rule["threshold"], rule["enabled"]) == ("supply_low", 15.0, True)
        url = f"{RULES}/{rule['id']}"
        changed = await client.patch(url, json={"enabled": False}, headers=as_user(p.admin))
        assert changed.json()["enabled"] is False
        listed = await client.get(RULES, headers=as_user(p.viewer))
        assert [r["id"] for r in listed.json()] == [rule["id"]]
        assert (await client.delete(url, headers=as_user(p.admin))).status_code == 204
        assert (await client.get(RULES, headers=as_user(p.viewer))).json() == []


async def test_it_lets_viewers_read_only(settings: ServerSettings, db: Database) -> None:
    p = personas(db)
    async with api(settings, db) as client:
        body = {"name": "Jams", "kind": "device_error"}
        refused = await client.post(RULES, json=body, headers=as_user(p.viewer))
        assert refused.status_code == 403
        assert (await client.get(RULES)).status_code == 401
        assert (await client.get(RULES, headers=as_user(p.viewer))).status_code == 200


async def test_it_keeps_a_scoped_user_to_their_customers(
    settings: ServerSettings, db: Database
) -> None:
    p = personas(db)
    async with api(settings, db) as client:
        beta = {"name": "Beta jams", "kind": "device_error", "customer_id": p.beta.customer_id}
        made = await client.post(RULES, json=beta, headers=as_user(p.admin))
        own = {"name": "Acme jams", "kind": "device_error", "site_id": p.acme.site_id}
        mine = await client.post(RULES, json=own, headers=as_user(p.acme_only))
        assert mine.json()["customer_id"] == p.acme.customer_id  # taken from the site
        for body in (beta, {"name": "All jams", "kind": "device_error"}):
            refused = await client.post(RULES, json=body, headers=as_user(p.acme_only))
            assert refused.status_code == 422
        seen = await client.get(RULES, headers=as_user(p.acme_only))
        assert [r["name"] for r in seen.json()] == ["Acme jams"]
        hidden = await client.patch(
            f"{RULES}/{made.json()['id']}", json={"enabled": False}, headers=as_user(p.acme_only)
        )
        assert hidden.status_code == 404
        channel = {"name": "x", "kind": "email", "target": "ops@acme.test"}
        assert (
            await client.post(CHANNELS, json=channel, headers=as_user(p.acme_only))
        ).status_code == 422


async def test_it_refuses_bad_rules_and_channels(settings: ServerSettings, db: Database) -> None:
    p = personas(db)
    async with api(settings, db) as client:
        for body in (
            {"name": "x", "kind": "supply_low", "threshold": 150},
            {"name": "x", "kind": "no_such_kind"},
            {"name": "x", "kind": "device_error", "channel_ids": [999]},
            {"name": "x", "kind": "device_error", "customer_id": 999},
        ):
            answer = await client.post(RULES, json=body, headers=as_user(p.admin))
            assert answer.status_code == 422, body
        for channel in (
            {"name": "x", "kind": "webhook", "target": "not a url"},
            {"name": "x", "kind": "email", "target": "nobody"},
            {"name": "x", "kind": "webhook", "target": "https://h.test/", "secret": "short"},
        ):
            answer = await client.post(CHANNELS, json=channel, headers=as_user(p.admin))
            assert answer.status_code == 422, channel


@pytest.mark.parametrize(
    ("target", "where"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://10.20.0.7/hook", "10.20.0.7"),
        ("https://[::1]:8443/x", "::1"),
        ("https://[::ffff:100.64.0.9]/x", "100.64.0.9"),  # CGNAT, IPv4-mapped
        ("http://localhost:5432/", "127.0.0.1"),
        ("http://printer.localhost./", "127.0.0.1"),
        ("http://2130706433:8080/", "127.0.0.1"),  # short forms the C resolver reads as numbers
        ("http://0x7f.1/", "127.0.0.1"),
    ],
)
async def test_a_webhook_to_an_address_off_the_public_internet_is_refused_when_saved(
    settings: ServerSettings, db: Database, target: str, where: str
) -> None:
    """Addresses and ``localhost`` names are judged without DNS when the channel is saved; the
    same URL is accepted once its network is named in ``alerts.webhook_allowed_networks``."""
    p = personas(db)
    channel = {"name": "intranet", "kind": "webhook", "target": target}
    async with api(settings, db) as client:
        refused = await client.post(CHANNELS, json=channel, headers=as_user(p.admin))
        listed = await client.get(CHANNELS, headers=as_user(p.admin))
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        f"webhook destination refused: {where} is not a public address"
        " (see alerts.webhook_allowed_networks)"
    )
    assert listed.json() == []
    network = "::/0" if ":" in where else "0.0.0.0/0"
    alerts = settings.alerts.model_copy(update={"webhook_allowed_networks": [ip_network(network)]})
    allowing = settings.model_copy(update={"alerts": alerts})
    async with api(allowing, db) as client:
        saved = await client.post(CHANNELS, json=channel, headers=as_user(p.admin))
    assert saved.status_code == 201, saved.text
