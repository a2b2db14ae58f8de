"""A walk through the pages never skips a row that existed when it began (issue 12), even while
rows are changed between its pages: on both engines, in-process and against a live server."""

import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy.engine import Engine

from app.core.caller import ADMIN
from app.core.db import session_scope
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeUpdate
from tests.conftest import ADMIN_TOKEN
from tests.factories import make_initiative

ROWS = 60
PAGE = 10


def walk(client, params: dict, between_pages=lambda seen: None) -> list[str]:
    """Every id a client following the `next` links reads, in order, calling `between_pages` after each page."""
    seen: list[str] = []
    response = client.get("/api/v1/initiatives", params={**params, "limit": PAGE})
    while True:
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        if page["next"] is None:
            return seen
        between_pages(seen)
        response = client.get(page["next"])


def change(client, initiative_id: str, headers: dict, **fields) -> None:
    version = client.get(f"/api/v1/initiatives/{initiative_id}").headers["etag"]
    response = client.patch(
        f"/api/v1/initiatives/{initiative_id}", json=fields, headers={**headers, "If-Match": version}
    )
    assert response.status_code == 200, response.text


class TestWalkWithChangesBetweenPages:
    @pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "title", "-title", "-created_at"])
    def test_every_row_is_listed_although_each_page_changes_rows_not_yet_listed(
        self, client, session, admin_headers, sort
    ):
        ids = {str(make_initiative(session, title=f"Initiativ {n:02d}").id) for n in range(ROWS)}

        def change_unseen(seen: list[str]) -> None:
            # The rows that a walk reaches last: moved to the front of `-updated_at`, retitled to
            # the front of a title order.
            for initiative_id in sorted(ids - set(seen))[:3]:
                change(client, initiative_id, admin_headers, title=f"Aa ändrad {initiative_id[:8]}")

        seen = walk(client, {"sort": sort}, change_unseen)
        assert set(seen) == ids
        assert len(seen) < 2 * ROWS  # rows changed during the walk come again once, at its end

    def test_a_quiet_walk_lists_each_row_once_in_order(self, client, session):
        ids = [str(make_initiative(session).id) for _ in range(25)]
        seen = walk(client, {})
        assert seen == list(reversed(ids))

    def test_rows_changed_during_the_walk_come_at_its_end_oldest_change_first(self, client, session, admin_headers):
        ids = [str(make_initiative(session).id) for _ in range(3 * PAGE)]
        oldest = ids[:2]  # the last rows of a `-updated_at` walk

        def change_oldest(seen: list[str]) -> None:
            if len(seen) == PAGE:
                for initiative_id in oldest:
                    change(client, initiative_id, admin_headers, budget_sek=1)

        seen = walk(client, {}, change_oldest)
        assert seen[-2:] == oldest and sorted(seen) == sorted(ids)


class TestWalkAgainstConcurrentWriters:
    def test_no_row_is_skipped_while_another_client_keeps_changing_rows(self, live_server: str, committed: Engine):
        with session_scope(committed) as session:
            ids = [str(make_initiative(session, title=f"Initiativ {n:02d}").id) for n in range(ROWS)]
        stop = threading.Event()
        writes = []

        def writer() -> None:
            # Changes the rows in the order a `-updated_at` walk reaches them last, as fast as it can.
            versions = dict.fromkeys(ids, 1)
            position = 0
            while not stop.is_set() and position < 10 * ROWS:
                initiative_id = uuid.UUID(ids[position % ROWS])
                with session_scope(committed) as session:
                    row = initiative_service.update(
                        session,
                        initiative_id,
                        InitiativeUpdate(budget_sek=position),
                        ADMIN,
                        versions[str(initiative_id)],
                    )
                versions[str(initiative_id)] = row.version
                writes.append(initiative_id)
                position += 1
                time.sleep(0.005)

        thread = threading.Thread(target=writer, daemon=True)
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=live_server, headers=headers, timeout=30) as client:
            thread.start()
            try:
                seen = walk(client, {}, lambda seen: time.sleep(0.02))
            finally:
                stop.set()
                thread.join(timeout=30)
        assert writes, "the writer changed nothing during the walk"
        assert set(ids) <= set(seen)
