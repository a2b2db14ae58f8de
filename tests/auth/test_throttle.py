"""Wrong keys are throttled per client: the eleventh within a minute is a 429, even a right one."""

import time

from app.auth.throttle import FailureThrottle


class TestApiKeys:
    def test_after_ten_wrong_keys_a_client_gets_429_with_retry_after(self, client, admin_headers):
        wrong = [
            client.post("/api/v1/initiatives", json={}, headers={"Authorization": f"Bearer reg_wrong{n}"}).status_code
            for n in range(10)
        ]
        refused = client.post("/api/v1/initiatives", json={}, headers=admin_headers)
        assert wrong == [401] * 10
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")
        assert refused.json()["type"] == "/problems/too-many-requests"
        assert refused.json()["detail"] == "Too many wrong keys from this address; try again in a minute."


class TestFailureThrottle:
    def test_failures_age_out_of_the_window(self):
        throttle = FailureThrottle(max_failures=2, window_seconds=0.05)
        throttle.record_failure("192.0.2.1")
        throttle.record_failure("192.0.2.1")
        assert throttle.is_blocked("192.0.2.1") and not throttle.is_blocked("192.0.2.2")
        time.sleep(0.06)
        assert not throttle.is_blocked("192.0.2.1")
