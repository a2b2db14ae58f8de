from datetime import UTC, datetime

import httpx
import pytest

from app.imports.service import Validators
from importers.http import Fetcher, FetchError, retry_after_seconds
from importers.settings import ImporterSettings

SETTINGS = ImporterSettings(
    retries=2, backoff_seconds=0.5, requests_per_second=10_000, max_retry_after_seconds=60, contact="drift@example.org"
)


def fetcher_for(handler, sleeps: list[float], settings: ImporterSettings = SETTINGS, **kwargs) -> Fetcher:
    return Fetcher(settings, transport=httpx.MockTransport(handler), sleep=sleeps.append, **kwargs)


class TestRetryAfterSeconds:
    def test_delay_seconds(self):
        assert retry_after_seconds("120") == 120

    def test_http_date(self):
        now = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
        assert retry_after_seconds("Wed, 01 Oct 2025 08:00:30 GMT", now) == 30

    def test_garbage_is_ignored(self):
        assert retry_after_seconds("snart") is None


class TestGet:
    def test_retry_after_is_honoured_then_backoff_grows(self):
        answers = iter(
            [httpx.Response(503, headers={"Retry-After": "7"}), httpx.Response(502), httpx.Response(200, content=b"ok")]
        )
        sleeps: list[float] = []
        with fetcher_for(lambda request: next(answers), sleeps) as fetcher:
            assert fetcher.get("https://source.se/a").body == b"ok"
        assert sleeps[0] == 7
        assert 1.0 <= sleeps[1] <= 1.5  # 0.5 × 2 for the second retry, plus up to 0.5 of jitter
        assert fetcher.requests == 3

    def test_gives_up_after_the_configured_retries(self):
        sleeps: list[float] = []
        with (
            fetcher_for(lambda request: httpx.Response(500), sleeps) as fetcher,
            pytest.raises(FetchError, match="HTTP 500 Internal Server Error after 3 attempts"),
        ):
            fetcher.get("https://source.se/a")

    def test_requests_are_spaced_by_the_rate_limit(self):
        sleeps: list[float] = []
        two_per_second = SETTINGS.model_copy(update={"requests_per_second": 2})
        with fetcher_for(lambda request: httpx.Response(200), sleeps, two_per_second) as fetcher:
            for _ in range(3):
                fetcher.get("https://source.se/a")
        # The fake sleep lets no time pass, so the third request is due a whole second after the first.
        assert sleeps == pytest.approx([0.5, 1.0], abs=0.05)

    def test_conditional_request_sends_validators_and_304_is_none(self):
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(304)

        known = Validators("https://source.se/a", '"v7"', "Wed, 01 Oct 2025 08:00:00 GMT")
        with fetcher_for(handler, [], known_validators=lambda url: known) as fetcher:
            assert fetcher.get("https://source.se/a", is_conditional=True) is None
        assert seen[0].headers["If-None-Match"] == '"v7"'
        assert seen[0].headers["If-Modified-Since"] == "Wed, 01 Oct 2025 08:00:00 GMT"
        assert seen[0].headers["User-Agent"].endswith("; drift@example.org)")

    def test_validators_of_a_conditional_answer_are_collected_for_the_next_run(self):
        response = httpx.Response(200, headers={"ETag": '"v8"'}, content=b"x")
        with fetcher_for(lambda request: response, []) as fetcher:
            fetcher.get("https://source.se/a", is_conditional=True)
            fetcher.get("https://source.se/b")
        assert fetcher.new_validators == [Validators("https://source.se/a", '"v8"', None)]

    def test_timeout_is_retried_then_reported(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("too slow", request=request)

        with (
            fetcher_for(handler, []) as fetcher,
            pytest.raises(FetchError, match=r"ReadTimeout: too slow .after 3 attempts"),
        ):
            fetcher.get("https://source.se/a")
