"""Two writers with the same If-Match against a real server and real transactions: one wins."""

import threading

import httpx

from tests.factories import initiative_payload


def _admin_headers(settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_token.get_secret_value()}"}


class TestConcurrentPatch:
    def test_exactly_one_of_two_patches_with_the_same_etag_wins(self, live_server, settings, committed):
        headers = _admin_headers(settings)
        created = httpx.post(f"{live_server}/api/v1/initiatives", json=initiative_payload(), headers=headers).json()
        url = f"{live_server}/api/v1/initiatives/{created['id']}"
        barrier = threading.Barrier(2)
        results: dict[int, httpx.Response] = {}

        def patch(budget: int) -> None:
            barrier.wait()
            results[budget] = httpx.patch(
                url, json={"budget_sek": budget}, headers={**headers, "If-Match": '"1"'}, timeout=30
            )

        threads = [threading.Thread(target=patch, args=(budget,)) for budget in (111, 222)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        statuses = sorted(response.status_code for response in results.values())
        assert statuses == [200, 412]
        winner = next(budget for budget, response in results.items() if response.status_code == 200)
        final = httpx.get(url).json()
        assert final["budget_sek"] == winner and final["version"] == 2
        assert len(httpx.get(f"{url}/history").json()["items"]) == 2


class TestFailedWriteLeavesNothing:
    def test_rejected_create_writes_no_rows(self, live_server, settings, committed):
        headers = _admin_headers(settings)
        bad = initiative_payload(
            participants=[{"organisation": "2281", "role": "partner"}, {"organisation": "0000", "role": "funder"}]
        )
        response = httpx.post(f"{live_server}/api/v1/initiatives", json=bad, headers=headers)
        assert response.status_code == 422
        assert httpx.get(f"{live_server}/api/v1/initiatives").json()["items"] == []
        assert httpx.get(f"{live_server}/api/v1/changes").json()["items"] == []
