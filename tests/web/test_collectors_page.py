"""The collectors page: listed within scope, revoked by admins and operators only; per site
enrolment tokens, schedules, ranges (secrets never shown back), discover and poll now."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Final

import httpx
import pytest
from sqlalchemy import select

from printscout.storage.accounts import collector_by_key
from printscout.storage.base import utcnow
from printscout.storage.collectors import (
    CollectorCommand,
    CollectorEvent,
    EnrolmentToken,
    SiteRange,
    SiteSchedule,
)
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.web.conftest import csrf_of, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio
HOSTILE_TARGET: Final = "<img/src/onerror=alert(5)>"


async def test_it_lists_collectors_of_the_users_customers_only(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    add_collector(db, "hq-01", site="HQ", customer="Acme")
    add_collector(db, "gx-01", site="Plant", customer="Globex")
    page = await (await signed_in(browser, fleet, "vera")).get("/collectors")
    assert page.status_code == 200
    assert "hq-01" in page.text and "gx-01" not in page.text
    assert "never" in page.text
    assert "data-revoke" not in page.text  # a viewer gets no button


async def test_it_lets_an_operator_revoke_a_collector_in_scope(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, hq_key = add_collector(db, "hq-01", site="HQ", customer="Acme")
    gx, _ = add_collector(db, "gx-01", site="Plant", customer="Globex")
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/collectors"))
    other = await http.post(f"/collectors/{gx.public_id}/revoke", data={"csrf": csrf})
    assert other.status_code == 404
    forged = await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": "x"})
    assert forged.status_code == 403
    done = await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": csrf})
    assert done.status_code == 303
    with db.reader() as session:
        assert collector_by_key(session, hq_key) is None
    assert "revoked" in (await http.get("/collectors")).text


async def test_it_refuses_a_viewer_revoking(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, key = add_collector(db, "hq-01", site="HQ", customer="Acme")
    http = await signed_in(browser, fleet, "vera")
    csrf = csrf_of(await http.get("/account"))
    assert (
        await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": csrf})
    ).status_code == 403
    with db.reader() as session:
        assert collector_by_key(session, key) is not None


def _ranges(db: Database) -> list[SiteRange]:
    with db.reader() as session:
        return list(session.scalars(select(SiteRange).order_by(SiteRange.id)))


async def test_it_shows_sites_to_a_viewer_without_any_form(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    page = await (await signed_in(browser, fleet, "vera")).get("/collectors")
    assert f'id="site-{fleet.acme_site_id}"' in page.text
    assert f'id="site-{fleet.globex_site_id}"' not in page.text
    assert "No range yet." in page.text and "21600" in page.text
    for action in ("data-token", "add-range", 'name="poll_every_s"', "data-command"):
        assert action not in page.text


async def test_it_creates_an_enrolment_token_shown_once_with_the_command(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/collectors"))
    other = await http.post(f"/collectors/sites/{fleet.globex_site_id}/token", data={"csrf": csrf})
    assert other.status_code == 404
    answer = await http.post(f"/collectors/sites/{fleet.acme_site_id}/token", data={"csrf": csrf})
    assert answer.status_code == 200
    found = re.search(r"printscout collector enroll http://console.test (\S+)</pre>", answer.text)
    assert found, answer.text
    with db.reader() as session:
        [stored] = session.scalars(select(EnrolmentToken)).all()
    assert stored.site_id == fleet.acme_site_id
    assert found.group(1).partition(".")[0] not in stored.token_hash
    assert found.group(1) not in (await http.get("/collectors")).text


async def test_it_saves_a_schedule_within_bounds(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/collectors"))
    path = f"/collectors/sites/{fleet.acme_site_id}/schedule"
    values = {"discover_every_s": "3600", "poll_every_s": "60", "identity_every_s": "7200"}
    saved = await http.post(path, data={"csrf": csrf, **values, "mask_addresses": "on"})
    assert saved.status_code == 303
    with db.reader() as session:
        row = session.get(SiteSchedule, fleet.acme_site_id)
    assert row is not None and (row.poll_every_s, row.mask_addresses) == (60, True)
    too_fast = await http.post(path, data={"csrf": csrf, **values, "discover_every_s": "1"})
    junk = await http.post(path, data={"csrf": csrf, **values, "poll_every_s": "-5"})
    assert (too_fast.status_code, junk.status_code) == (400, 400)
    other = f"/collectors/sites/{fleet.globex_site_id}/schedule"
    assert (await http.post(other, data={"csrf": csrf, **values})).status_code == 404


async def test_it_adds_ranges_whose_secrets_are_never_shown_back(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/collectors"))
    form = {
        "csrf": csrf, "targets": f"10.1.0.0/24, {HOSTILE_TARGET}", "port": "1161",
        "communities": "s3cret-one\ns3cret-two\n", "v3_user": "monitor",
        "auth_protocol": "SHA-256", "auth_key": "s3cret-auth", "priv_protocol": "AES",
        "priv_key": "s3cret-priv",
    }  # fmt: skip
    added = await http.post(f"/collectors/sites/{fleet.acme_site_id}/ranges", data=form)
    assert added.status_code == 303
    page = (await http.get("/collectors")).text
    assert "s3cret" not in page and "set (2)" in page and "monitor" in page
    assert html.escape(HOSTILE_TARGET, quote=False) in page and HOSTILE_TARGET not in page
    [stored] = _ranges(db)
    assert stored.port == 1161 and "s3cret" not in stored.credentials
    bad = await http.post(
        f"/collectors/sites/{fleet.acme_site_id}/ranges", data={**form, "auth_protocol": "ROT13"}
    )
    empty = await http.post(
        f"/collectors/sites/{fleet.acme_site_id}/ranges", data={**form, "targets": " "}
    )
    other = await http.post(f"/collectors/sites/{fleet.globex_site_id}/ranges", data=form)
    assert (bad.status_code, empty.status_code, other.status_code) == (400, 400, 404)
    assert len(_ranges(db)) == 1


async def test_it_deletes_a_range_of_the_right_site_only(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    http = await signed_in(browser, fleet, "alice")
    csrf = csrf_of(await http.get("/collectors"))
    form = {"csrf": csrf, "targets": "10.2.0.1-10.2.0.9"}
    for site in (fleet.acme_site_id, fleet.globex_site_id):
        await http.post(f"/collectors/sites/{site}/ranges", data=form)
    acme_range, globex_range = (r.id for r in _ranges(db))
    wrong = f"/collectors/sites/{fleet.acme_site_id}/ranges/{globex_range}/delete"
    assert (await http.post(wrong, data={"csrf": csrf})).status_code == 404
    right = f"/collectors/sites/{fleet.acme_site_id}/ranges/{acme_range}/delete"
    assert (await http.post(right, data={"csrf": csrf})).status_code == 303
    assert [r.id for r in _ranges(db)] == [globex_range]


async def test_it_queues_discover_and_poll_now_within_scope(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, _ = add_collector(db, "hq-01", site="HQ", customer="Acme")
    gx, _ = add_collector(db, "gx-01", site="Plant", customer="Globex")
    http = await signed_in(browser, fleet, "oscar")
    page = await http.get("/collectors")
    assert 'data-command="discover"' in page.text
    csrf = csrf_of(page)
    for kind in ("discover", "poll"):
        done = await http.post(
            f"/collectors/{hq.public_id}/command", data={"csrf": csrf, "kind": kind}
        )
        assert done.status_code == 303
    other = await http.post(
        f"/collectors/{gx.public_id}/command", data={"csrf": csrf, "kind": "poll"}
    )
    odd = await http.post(f"/collectors/{hq.public_id}/command", data={"csrf": csrf, "kind": "rm"})
    assert (other.status_code, odd.status_code) == (404, 400)
    with db.reader() as session:
        kinds = session.scalars(select(CollectorCommand.kind).order_by(CollectorCommand.id)).all()
    assert list(kinds) == ["discover", "poll"]


async def test_it_refuses_a_viewer_changing_a_site(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    http = await signed_in(browser, fleet, "vera")
    csrf = csrf_of(await http.get("/account"))
    site = fleet.acme_site_id
    for path in ("token", "schedule", "ranges"):
        answer = await http.post(f"/collectors/sites/{site}/{path}", data={"csrf": csrf})
        assert answer.status_code == 403
    assert _ranges(db) == []


async def test_it_shows_recent_commands_and_reported_events_within_scope(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, _ = add_collector(db, "hq-01", site="HQ", customer="Acme")
    gx, _ = add_collector(db, "gx-01", site="Plant", customer="Globex")
    now = utcnow()

    def ago(minutes: int) -> datetime:
        return now - timedelta(minutes=minutes)

    with db.writer() as session:
        session.add_all([
            CollectorCommand(collector_id=hq.id, kind="send_logs", created_at=ago(30),
                             delivered_at=ago(29), done_at=ago(28),
                             result={"lines": 120, "note": HOSTILE_TARGET}),
            CollectorCommand(collector_id=hq.id, kind="poll", created_at=ago(20)),
            CollectorCommand(collector_id=gx.id, kind="discover", created_at=ago(15)),
            CollectorEvent(collector_id=hq.id, at=ago(10), kind="update_refused",
                           detail={"version": "9.9", "reason": "bad signature"}),
            CollectorEvent(collector_id=gx.id, at=ago(5), kind="update_refused",
                           detail={"version": "9.9", "reason": "gx secret"}),
        ])  # fmt: skip
    page = await (await signed_in(browser, fleet, "vera")).get("/collectors")
    activity = page.text.split('id="activity"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-activity="(\w+)">(.*?)</tr>', activity, re.S)
    cells = [
        (kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()) for kind, row in rows
    ]
    assert [kind for kind, _ in cells] == ["event", "command", "command"]  # newest first
    assert "update_refused" in cells[0][1] and "reason: bad signature" in cells[0][1]
    assert "poll" in cells[1][1] and "queued" in cells[1][1]
    assert "send_logs" in cells[2][1] and "done" in cells[2][1] and "lines: 120" in cells[2][1]
    assert "gx-01" not in activity and "gx secret" not in activity  # another customer's
    assert HOSTILE_TARGET not in page.text and html.escape(HOSTILE_TARGET) in activity
